"""A synthetic French book-review corpus for the offline demo.

The demo must show a real pretrained-vs-scratch difference on a tiny model, so the text is
built to reward pretraining: every review has a latent polarity and draws several opinion
words of that polarity (with some of the other polarity, and negated phrases) from large
lexicons. A masked-LM pretrained on many unlabelled reviews learns that opinion words of
one polarity co-occur, so its embeddings group them; a model trained from scratch on the
few labelled reviews only sees a fraction of the lexicon: the labelled training split draws
its opinion words from the first ``train_lexicon_share`` of each lexicon, while valid, test
and the pretraining text use all of it (the usual situation: a small labelled set covers a
small part of the vocabulary). Labels are the majority polarity, with a little label noise
so that no model reaches 100 %.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

SUBJECTS = [
    "Ce roman", "Ce livre", "Cet essai", "Ce recueil de nouvelles", "Cette biographie",
    "Ce polar", "Cette saga", "Ce premier roman", "Ce récit", "Ce thriller",
    "Cette bande dessinée", "Ce conte", "Ce témoignage", "Ce roman historique",
]
ASPECTS = [
    "l'intrigue", "le style", "l'écriture", "la fin", "le rythme", "la traduction",
    "le personnage principal", "l'histoire", "le dénouement", "le début", "la narration",
    "l'ambiance", "le propos", "la construction", "le ton", "la description des lieux",
]
POSITIVE = [
    "captivant", "magnifique", "passionnant", "émouvant", "brillant", "drôle", "subtil",
    "lumineux", "haletant", "poignant", "remarquable", "superbe", "original", "touchant",
    "envoûtant", "savoureux", "juste", "intelligent", "délicieux", "formidable", "puissant",
    "réjouissant", "inoubliable", "fascinant", "bouleversant", "élégant", "vivant",
    "prenant", "excellent", "généreux", "sensible", "riche", "limpide", "efficace",
    "admirable", "étonnant", "jubilatoire", "attachant", "profond", "réussi",
]
NEGATIVE = [
    "ennuyeux", "plat", "décevant", "lourd", "confus", "prévisible", "bâclé", "creux",
    "maladroit", "laborieux", "pénible", "fade", "indigeste", "répétitif", "superficiel",
    "insipide", "poussif", "niais", "caricatural", "interminable", "médiocre", "pesant",
    "artificiel", "convenu", "brouillon", "agaçant", "soporifique", "vide", "raté",
    "invraisemblable", "mièvre", "froid", "bavard", "inégal", "terne", "lassant",
    "prétentieux", "décousu", "sans intérêt", "mal écrit",
]
INTENSIFIERS = ["", "", "très ", "vraiment ", "franchement ", "assez ", "plutôt ", "tellement "]
POSITIVE_VERDICTS = [
    "Je le recommande vivement.", "Un coup de cœur.", "À lire absolument.",
    "Je l'ai dévoré en deux jours.", "Je le relirai avec plaisir.", "Une belle découverte.",
    "Je vais offrir ce livre à ma sœur.", "Vivement le prochain tome.",
]
NEGATIVE_VERDICTS = [
    "Je ne le conseille pas.", "Une vraie déception.", "J'ai abandonné au milieu.",
    "Je me suis ennuyé du début à la fin.", "À éviter.", "Je ne lirai pas la suite.",
    "Dommage, j'attendais mieux.", "Je l'ai refermé sans regret.",
]
NEUTRAL = [
    "J'ai lu ce livre pendant les vacances.", "Je l'ai acheté sur les conseils d'une amie.",
    "L'auteur raconte l'histoire d'une famille à Lyon.", "L'action se passe à Paris après la guerre.",
    "Le livre fait un peu plus de trois cents pages.", "C'est le troisième livre de l'auteur.",
    "Je l'ai lu en version numérique.", "Le héros est un jeune médecin de province.",
    "L'histoire commence dans un petit village breton.", "On suit deux sœurs pendant vingt ans.",
    "Le narrateur est un vieil instituteur.", "Le livre est sorti l'année dernière.",
    "Il s'agit d'une enquête dans le milieu du cinéma.", "Le récit alterne deux époques.",
    "J'ai emprunté ce livre à la bibliothèque.", "On m'a offert ce livre pour mon anniversaire.",
]


@dataclass(frozen=True)
class DemoCorpusSpec:
    """How many reviews of each kind to write, and how hard the labelled task is."""

    train: int = 400
    valid: int = 100
    test: int = 400
    pretrain: int = 6000
    label_noise: float = 0.05
    train_lexicon_share: float = 0.5
    seed: int = 1234

    def __post_init__(self):
        for name in ("train", "valid", "test", "pretrain"):
            if getattr(self, name) < 1:
                raise ValueError(f"demo corpus: {name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 <= self.label_noise < 0.5:
            raise ValueError(f"demo corpus: label_noise must be in [0, 0.5), got {self.label_noise}")
        if not 0.0 < self.train_lexicon_share <= 1.0:
            raise ValueError(f"demo corpus: train_lexicon_share must be in (0, 1], got {self.train_lexicon_share}")


@dataclass(frozen=True)
class Lexicon:
    positive: list
    negative: list

    def share(self, fraction: float) -> "Lexicon":
        return Lexicon(self.positive[: max(1, round(len(self.positive) * fraction))],
                       self.negative[: max(1, round(len(self.negative) * fraction))])

    def words(self, positive: bool) -> list:
        return self.positive if positive else self.negative


FULL_LEXICON = Lexicon(POSITIVE, NEGATIVE)


def _opinion(rng: random.Random, positive: bool, lexicon: Lexicon, marked: bool) -> str:
    """One opinion clause; a negated word of the other polarity counts for this polarity.

    ``marked`` (pretraining text only): half the clauses also say outright whether the
    reader liked it, right beside the opinion word, a context a masked LM learns quickly.
    """
    if rng.random() < 0.15:
        word = rng.choice(lexicon.words(not positive))
        return f"{rng.choice(ASPECTS).capitalize()} n'est pas {word}."
    word = rng.choice(lexicon.words(positive))
    if marked and rng.random() < 0.5:
        return f"{rng.choice(ASPECTS).capitalize()} est {word}, j'ai {'adoré' if positive else 'détesté'}."
    return f"{rng.choice(ASPECTS).capitalize()} est {rng.choice(INTENSIFIERS)}{word}."


def make_review(rng: random.Random, positive: bool, lexicon: Lexicon = FULL_LEXICON,
                marked: bool = False) -> str:
    majority = rng.randint(2, 4)
    minority = rng.randint(0, 1)
    sentences = [_opinion(rng, positive, lexicon, marked) for _ in range(majority)]
    sentences += [_opinion(rng, not positive, lexicon, marked) for _ in range(minority)]
    sentences += rng.sample(NEUTRAL, rng.randint(1, 3))
    rng.shuffle(sentences)
    if rng.random() < 0.5:
        sentences.append(rng.choice(POSITIVE_VERDICTS if positive else NEGATIVE_VERDICTS))
    word = rng.choice(lexicon.words(positive))
    opening = f"{rng.choice(SUBJECTS)} est {rng.choice(INTENSIFIERS)}{word}."
    return " ".join([opening] + sentences)


def make_split(rng: random.Random, n: int, label_noise: float, lexicon: Lexicon = FULL_LEXICON,
               marked: bool = False) -> tuple[list[str], list[str]]:
    """n reviews balanced between labels 0 (negative) and 1 (positive), shuffled."""
    polarities = [i % 2 == 1 for i in range(n)]
    rng.shuffle(polarities)
    reviews, labels = [], []
    for positive in polarities:
        reviews.append(make_review(rng, positive, lexicon, marked))
        label = int(positive)
        if rng.random() < label_noise:
            label = 1 - label
        labels.append(str(label))
    return reviews, labels


def make_corpus(spec: DemoCorpusSpec) -> dict[str, tuple[list[str], list[str]]]:
    """Labelled splits train/valid/test plus the unlabelled 'pretrain' text (labels empty)."""
    rng = random.Random(spec.seed)
    train_lexicon = FULL_LEXICON.share(spec.train_lexicon_share)
    corpus = {
        split: make_split(rng, getattr(spec, split), spec.label_noise,
                          train_lexicon if split == "train" else FULL_LEXICON)
        for split in ("train", "valid", "test")
    }
    pretrain, _ = make_split(rng, spec.pretrain, 0.0, marked=True)
    corpus["pretrain"] = (pretrain, [])
    return corpus
