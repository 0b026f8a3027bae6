"""The demo corpus is a miniature of why pretraining helps: the labelled train split sees only
part of the opinion words, valid/test mostly the others, the unlabelled text all of them, and
nothing but the opinion words tells the classes apart."""
import re
from collections import Counter

import pytest

from ftlib.data.demo_reviews import NEUTRAL, DemoCorpusSpec, make_corpus, review_kind

SPEC = DemoCorpusSpec(train=160, valid=100, test=400, pretrain=2000, seed=3)
OPINION = re.compile(r" est (?:(?:très|vraiment|franchement|assez|plutôt|tellement) )?(\w+)[.,]")
REACTION = re.compile(r", j'ai (adoré|détesté)\.")
NEGATED = re.compile(r" n'est pas (\w+)\.")


def opinion_words(review: str) -> list[str]:
    return [w for w in OPINION.findall(review) if w in SPEC.lexicon.all_words()]


def negated_words(review: str) -> list[str]:
    return [w for w in NEGATED.findall(review) if w in SPEC.lexicon.all_words()]


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(SPEC)


def test_train_sees_only_its_share_of_the_lexicon_and_test_mostly_the_rest(corpus):
    seen = set(SPEC.lexicon.head(SPEC.n_train_words).all_words())
    assert SPEC.n_train_words == 6 and len(seen) == 12
    train_words = [w for r in corpus["train"][0] for w in opinion_words(r)]
    assert train_words and set(train_words) <= seen
    test_words = [w for r in corpus["test"][0] for w in opinion_words(r)]
    share_seen = sum(w in seen for w in test_words) / len(test_words)
    assert 0.05 < share_seen < 0.15  # heldout_seen_share 0.1: scratch's only clue
    assert set(test_words) - seen == set(SPEC.lexicon.tail(SPEC.n_train_words).all_words())
    assert set(w for r in corpus["pretrain"][0] for w in opinion_words(r)) == set(SPEC.lexicon.all_words())


def test_every_opinion_word_of_a_review_has_its_polarity(corpus):
    positive = set(SPEC.lexicon.positive)
    reactions = 0
    for review in corpus["pretrain"][0][:500]:
        words = opinion_words(review)
        assert len(words) >= 4  # the opening and 3-6 clauses: the dense unlabelled text
        assert len({w in positive for w in words}) == 1
        said = REACTION.findall(review)  # the reader's reaction agrees with the review's polarity
        assert set(said) <= {"adoré" if words[0] in positive else "détesté"}
        reactions += len(said)
    assert 0.35 < reactions / sum(len(opinion_words(r)) - 1 for r in corpus["pretrain"][0][:500]) < 0.65
    # labelled: the label is the polarity except for the label noise (5 %)
    reviews, labels = corpus["test"]
    agree = [(opinion_words(r)[0] in positive) == (label == "1") for r, label in zip(reviews, labels)]
    assert 0.9 < sum(agree) / len(agree) < 1.0


def test_labelled_reviews_negate_opinions_the_unlabelled_text_never_does(corpus):
    positive = set(SPEC.lexicon.positive)
    assert not any(negated_words(r) for r in corpus["pretrain"][0])
    assert not any(REACTION.search(r) for split in ("train", "valid", "test") for r in corpus[split][0])
    clauses = 0
    for review in corpus["test"][0]:
        for word in negated_words(review):  # a negated word has the other polarity
            clauses += 1
            polarity = opinion_words(review)[0] in positive  # the opening is never negated
            assert (word in positive) != polarity
    per_review = clauses / len(corpus["test"][0])
    assert 0.6 < per_review < 1.2  # 30 % of 2-4 clauses


def test_no_sentence_but_the_opinions_gives_the_label_away(corpus):
    """Every other sentence is shared by both classes of the labelled splits."""
    by_label = {"0": Counter(), "1": Counter()}
    for split in ("train", "valid", "test"):
        for review, label in zip(*corpus[split]):
            for sentence in re.split(r"(?<=\.) ", review):
                if not opinion_words(sentence) and not negated_words(sentence):
                    by_label[label][sentence] += 1
    assert set(by_label["0"]) <= set(NEUTRAL) and set(by_label["1"]) <= set(NEUTRAL)
    assert set(by_label["0"]) == set(by_label["1"]) == set(NEUTRAL)


def test_mixed_reviews_have_a_minority_of_the_other_polarity_and_the_majority_label():
    mixed = DemoCorpusSpec(**{**SPEC.__dict__, "mixed_share": 0.4})
    corpus = make_corpus(mixed)
    positive = set(SPEC.lexicon.positive)
    shares, agree, kinds = [], [], Counter()
    for review, label in zip(*corpus["test"]):
        kinds[review_kind(review, label, SPEC.lexicon)] += 1
        # each opinion's polarity: its word's, or the other one when negated
        polarities = [w in positive for w in opinion_words(review)] + [w not in positive for w in negated_words(review)]
        majority = sum(polarities) > len(polarities) / 2
        minority = min(sum(polarities), len(polarities) - sum(polarities))
        assert minority == 0 or minority == (len(polarities) - 1) // 2  # 1 of 3 or 4, 2 of 5
        shares.append(minority > 0)
        agree.append(majority == (label == "1"))
        # the report's reading of the text says the same
        assert review_kind(review, label, SPEC.lexicon) == (
            "label noise" if not agree[-1] else "mixed" if minority else "plain")
    assert 0.3 < sum(shares) / len(shares) < 0.5  # mixed_share 0.4
    assert 0.9 < sum(agree) / len(agree) < 1.0  # the label is the majority's but for the 5 % noise
    assert set(kinds) == {"plain", "mixed", "label noise"}
    # only the labelled splits change: the unlabelled text, and so the checkpoint, stay the same
    assert corpus["pretrain"] == make_corpus(SPEC)["pretrain"]
    assert not any(min(sum(p), len(p) - sum(p)) for p in (
        [w in positive for w in opinion_words(r)] + [w not in positive for w in negated_words(r)]
        for r in make_corpus(SPEC)["test"][0]))


def test_the_spec_rejects_impossible_values():
    with pytest.raises(ValueError, match="opinion_words"):
        DemoCorpusSpec(opinion_words=40)
    with pytest.raises(ValueError, match="train_lexicon_share"):
        DemoCorpusSpec(train_lexicon_share=1.0)
    with pytest.raises(ValueError, match="negation_share"):
        DemoCorpusSpec(negation_share=1.0)
    with pytest.raises(ValueError, match="heldout_seen_share"):
        DemoCorpusSpec(heldout_seen_share=1.5)
    with pytest.raises(ValueError, match="mixed_share"):
        DemoCorpusSpec(mixed_share=-0.1)
    assert make_corpus(SPEC) == make_corpus(SPEC)  # reproducible from its seed
