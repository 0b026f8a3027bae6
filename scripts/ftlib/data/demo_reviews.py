"""A synthetic French book-review corpus for the offline demo: a miniature of why pretraining helps.

The real experiment's finding (pretrained 81 % vs scratch 64 % on CLS-books) comes from a
small labelled set that covers a small part of the vocabulary, and a masked LM that has seen
the rest of it in context. The demo rebuilds exactly that situation:

- every review has a polarity, and every opinion word in it has that polarity, so opinion
  words of one polarity share contexts: the distributional signal a masked LM can learn from
  unlabelled text alone. The unlabelled reviews are dense in it (an opening judgement, 3-6
  opinion clauses, at most one neutral sentence), and half their opinion clauses end with the
  reader's reaction (", j'ai adoré." / ", j'ai détesté."), a fixed phrase right beside the word.
  Measured on a tiny RoBERTa (docs/methodology.md, "The demo"): without the reaction the masked
  LM's transition (from "an adjective comes after 'est'" to "which adjectives go together")
  came at 400-1,000 updates on two text draws and not within 1,600 on a third; with it, at
  200-400 updates on all draws tried;
- the unlabelled pretraining text uses the whole opinion lexicon; the labelled train split
  only the first ``train_lexicon_share`` of each polarity's words; in valid and test each
  opinion word is one of the others, except with probability ``heldout_seen_share`` (as in
  real data, the labelled set covers part of the test vocabulary). Scratch can only use the
  few seen words; the pretrained encoder has learned, from the unlabelled text, which words
  go together;
- the labelled reviews also say 30 % of their opinions by negating a word of the other
  polarity ("L'intrigue n'est pas ennuyeux."), which the unlabelled text never does: what
  pretraining cannot give, fine-tuning must learn, and the methods that change the encoder
  least (the smallest PEFT methods) learn it least;
- no stock phrase gives the label away in the labelled splits: the reactions stay in the
  unlabelled text, the neutral sentences are shared by both classes;
- some labelled reviews are mixed (``mixed_share``): a minority of their opinions (1 of 3 or 4,
  2 of 5) goes the other way and the label is the majority's. A model must weigh the opinions,
  and there its seeds differ, as real seeds do on real mixed reviews; without them every
  pretrained seed got the same 95.8 %, at the label noise's ceiling;
- a little label noise, so that no model reaches 100 %.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

SUBJECTS = [
    "Ce roman", "Ce livre", "Cet essai", "Ce recueil", "Cette biographie", "Ce polar",
    "Cette saga", "Ce récit", "Ce thriller", "Ce conte", "Ce témoignage",
]
ASPECTS = [
    "l'intrigue", "le style", "l'écriture", "la fin", "le rythme", "la traduction",
    "le personnage principal", "l'histoire", "le dénouement", "le début", "la narration",
    "l'ambiance", "le propos", "la construction", "le ton", "la description des lieux",
]
# Whole single words (each becomes one SentencePiece piece), in the order the split uses them:
# the labelled train split takes the first ones, valid and test the others.
POSITIVE = [
    "captivant", "magnifique", "passionnant", "émouvant", "brillant", "subtil",
    "lumineux", "poignant", "remarquable", "superbe", "envoûtant", "formidable",
    "haletant", "savoureux", "élégant", "fascinant",
]
NEGATIVE = [
    "ennuyeux", "plat", "décevant", "lourd", "confus", "prévisible",
    "bâclé", "creux", "maladroit", "laborieux", "pénible", "fade",
    "insipide", "poussif", "médiocre", "lassant",
]
INTENSIFIERS = ["", "", "très ", "vraiment ", "franchement ", "assez ", "plutôt ", "tellement "]
NEUTRAL = [
    "J'ai lu ce livre pendant les vacances.", "Je l'ai acheté sur les conseils d'une amie.",
    "L'auteur raconte l'histoire d'une famille à Lyon.", "L'action se passe à Paris après la guerre.",
    "Le livre fait un peu plus de trois cents pages.", "C'est le troisième livre de l'auteur.",
    "Je l'ai lu en version numérique.", "Le héros est un jeune médecin de province.",
    "L'histoire commence dans un petit village breton.", "On suit deux sœurs pendant vingt ans.",
    "Le narrateur est un vieil instituteur.", "Le livre est sorti l'année dernière.",
    "Il s'agit d'une enquête dans le milieu du cinéma.", "Le récit alterne deux époques.",
    "J'ai emprunté ce livre à la bibliothèque.", "On m'a offert ce livre pour mon anniversaire.",
    "Ce n'est pas son premier livre.", "Je n'avais pas lu ses autres romans.",
]


@dataclass(frozen=True)
class DemoCorpusSpec:
    """How many reviews of each kind to write, and how the opinion lexicon is split."""

    train: int = 160
    valid: int = 100
    test: int = 400
    pretrain: int = 20000
    label_noise: float = 0.05
    opinion_words: int = 12          # per polarity (the first ones of POSITIVE / NEGATIVE)
    train_lexicon_share: float = 0.5  # of those, the share the labelled train split uses
    heldout_seen_share: float = 0.1   # chance that an opinion word of valid/test is a train one
    negation_share: float = 0.3       # labelled splits: opinion clauses said by negating the other polarity
    reaction_share: float = 0.5       # unlabelled text: opinion clauses followed by ", j'ai adoré/détesté"
    mixed_share: float = 0.0          # labelled splits: reviews whose minority of opinions goes the other way
    seed: int = 1234

    def __post_init__(self):
        for name in ("train", "valid", "test", "pretrain"):
            if getattr(self, name) < 1:
                raise ValueError(f"demo corpus: {name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 <= self.label_noise < 0.5:
            raise ValueError(f"demo corpus: label_noise must be in [0, 0.5), got {self.label_noise}")
        if not 2 <= self.opinion_words <= min(len(POSITIVE), len(NEGATIVE)):
            raise ValueError(f"demo corpus: opinion_words must be in [2, {min(len(POSITIVE), len(NEGATIVE))}], "
                             f"got {self.opinion_words}")
        if not 0.0 < self.train_lexicon_share < 1.0:
            raise ValueError(f"demo corpus: train_lexicon_share must be in (0, 1), got {self.train_lexicon_share}")
        if not 0.0 <= self.negation_share < 1.0:
            raise ValueError(f"demo corpus: negation_share must be in [0, 1), got {self.negation_share}")
        if not 0.0 <= self.reaction_share <= 1.0:
            raise ValueError(f"demo corpus: reaction_share must be in [0, 1], got {self.reaction_share}")
        if not 0.0 <= self.mixed_share <= 1.0:
            raise ValueError(f"demo corpus: mixed_share must be in [0, 1], got {self.mixed_share}")
        if not 0.0 <= self.heldout_seen_share <= 1.0:
            raise ValueError(f"demo corpus: heldout_seen_share must be in [0, 1], got {self.heldout_seen_share}")

    @property
    def lexicon(self) -> "Lexicon":
        return Lexicon(POSITIVE[: self.opinion_words], NEGATIVE[: self.opinion_words])

    @property
    def n_train_words(self) -> int:
        """Words per polarity the labelled train split uses (at least one, one left for test)."""
        return min(self.opinion_words - 1, max(1, round(self.opinion_words * self.train_lexicon_share)))


@dataclass(frozen=True)
class Lexicon:
    positive: list
    negative: list

    def head(self, n: int) -> "Lexicon":
        return Lexicon(self.positive[:n], self.negative[:n])

    def tail(self, n: int) -> "Lexicon":
        return Lexicon(self.positive[n:], self.negative[n:])

    def words(self, positive: bool) -> list:
        return self.positive if positive else self.negative

    def all_words(self) -> list:
        return self.positive + self.negative


def opinion_clause(rng: random.Random, positive: bool, pick, negation: float, reaction: float) -> str:
    """"<Aspect> est <word>." of the given polarity; with probability ``negation``, the same
    opinion said by negating a word of the other polarity ("<Aspect> n'est pas <word>."); with
    probability ``reaction``, followed by the reader's reaction (", j'ai adoré.")."""
    aspect = rng.choice(ASPECTS).capitalize()
    if rng.random() < negation:
        return f"{aspect} n'est pas {pick(rng, not positive)}."
    clause = f"{aspect} est {rng.choice(INTENSIFIERS)}{pick(rng, positive)}"
    if rng.random() < reaction:
        clause += ", j'ai adoré" if positive else ", j'ai détesté"
    return clause + "."


def opinion_polarities(rng: random.Random, positive: bool, n: int, mixed: float) -> list[bool]:
    """The polarity of each of a review's n opinions (the opening's first): all the review's,
    or, with probability ``mixed``, a minority (1 of 3 or 4, 2 of 5; the opening too) the other
    way, so that the label is the majority's and the model must weigh the opinions."""
    polarities = [positive] * n
    if mixed and rng.random() < mixed:
        for i in rng.sample(range(n), (n - 1) // 2):
            polarities[i] = not positive
    return polarities


def make_review(rng: random.Random, positive: bool, pick, dense: bool = False, negation: float = 0.0,
                reaction: float = 0.0, mixed: float = 0.0) -> str:
    """An opening judgement, then 2-4 opinion clauses and 1-3 neutral sentences in random order,
    every opinion of the review's polarity (but see ``opinion_polarities``); ``dense`` (the
    unlabelled text): 3-6 opinion clauses and at most one neutral sentence. ``pick(rng, positive)``
    draws one opinion word."""
    n_clauses = rng.randint(3, 6) if dense else rng.randint(2, 4)
    opening_polarity, *polarities = opinion_polarities(rng, positive, 1 + n_clauses, mixed)
    clauses = [opinion_clause(rng, polarity, pick, negation, reaction) for polarity in polarities]
    neutral = rng.randint(0, 1) if dense else rng.randint(1, 3)
    sentences = clauses + rng.sample(NEUTRAL, neutral)
    rng.shuffle(sentences)
    opening = f"{rng.choice(SUBJECTS)} est {rng.choice(INTENSIFIERS)}{pick(rng, opening_polarity)}."
    return " ".join([opening] + sentences)


def make_split(rng: random.Random, n: int, label_noise: float, pick, dense: bool = False,
               negation: float = 0.0, reaction: float = 0.0, mixed: float = 0.0) -> tuple[list[str], list[str]]:
    """n reviews balanced between labels 0 (negative) and 1 (positive), shuffled."""
    polarities = [i % 2 == 1 for i in range(n)]
    rng.shuffle(polarities)
    reviews, labels = [], []
    for positive in polarities:
        reviews.append(make_review(rng, positive, pick, dense, negation, reaction, mixed))
        label = int(positive)
        if rng.random() < label_noise:
            label = 1 - label
        labels.append(str(label))
    return reviews, labels


def word_picker(main: Lexicon, other: Lexicon | None = None, other_share: float = 0.0):
    """Draws an opinion word of the asked polarity from ``main``, or with probability
    ``other_share`` from ``other``."""
    def pick(rng: random.Random, positive: bool) -> str:
        lexicon = other if other is not None and rng.random() < other_share else main
        return rng.choice(lexicon.words(positive))
    return pick


def make_corpus(spec: DemoCorpusSpec) -> dict[str, tuple[list[str], list[str]]]:
    """Labelled splits train/valid/test plus the unlabelled 'pretrain' text (labels empty)."""
    lexicon = spec.lexicon
    seen, unseen = lexicon.head(spec.n_train_words), lexicon.tail(spec.n_train_words)
    pickers = {"train": word_picker(seen), "valid": word_picker(unseen, seen, spec.heldout_seen_share),
               "test": word_picker(unseen, seen, spec.heldout_seen_share)}
    # one random stream per split: the unlabelled text (and so the checkpoint) does not change
    # when only the labelled splits' settings do
    corpus = {split: make_split(random.Random(f"{spec.seed}-{split}"), getattr(spec, split), spec.label_noise,
                                pickers[split], negation=spec.negation_share, mixed=spec.mixed_share)
              for split in ("train", "valid", "test")}
    pretrain, _ = make_split(random.Random(f"{spec.seed}-pretrain"), spec.pretrain, 0.0, word_picker(lexicon),
                             dense=True, reaction=spec.reaction_share)
    corpus["pretrain"] = (pretrain, [])
    return corpus


_INTENSIFIER = "|".join(sorted({i.strip() for i in INTENSIFIERS if i.strip()}))
_STATED = re.compile(rf" est (?:(?:{_INTENSIFIER}) )?(\w+)[.,]")
_NEGATED = re.compile(r" n'est pas (\w+)\.")
REVIEW_KINDS = ("plain", "mixed", "label noise")


def stated_polarities(review: str, lexicon: Lexicon) -> list[bool]:
    """The polarity of each opinion a labelled review states (True: positive), read back from its
    text: "<x> est <word>" has the word's, "<x> n'est pas <word>" the other one."""
    positive = set(lexicon.positive)
    words = set(lexicon.all_words())
    return ([w in positive for w in _STATED.findall(review) if w in words]
            + [w not in positive for w in _NEGATED.findall(review) if w in words])


def review_kind(review: str, label: str, lexicon: Lexicon) -> str:
    """"label noise" when the label is not the majority of the stated opinions (a flipped label:
    no model should get it), else "mixed" when some opinions go the other way, else "plain"."""
    polarities = stated_polarities(review, lexicon)
    majority = sum(polarities) * 2 > len(polarities)
    if majority != (label == "1"):
        return "label noise"
    return "mixed" if 0 < sum(polarities) < len(polarities) else "plain"
