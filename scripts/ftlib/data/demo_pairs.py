"""The demo's sentence-pair task, built offline from the demo's labelled reviews: "do these two
reviews share a polarity?" Each review of a split is paired with another review of the same split
drawn at random (seeded); the pair's label is 1 when their labels agree, else 0. The two texts go
through every branch as a pair (fairseq's input0/input1, the tokenizer's pair encoding)."""
from __future__ import annotations

import numpy as np


def make_pairs(reviews: list[str], labels: list[str], seed: int) -> tuple[list[tuple[str, str]], list[str]]:
    """One pair per review: (review i, review j) with j != i drawn at random; label "1" when the two
    reviews' labels are equal, else "0"."""
    rng = np.random.default_rng(seed)
    n = len(reviews)
    others = (np.arange(n) + rng.integers(1, n, size=n)) % n  # never the review itself
    pairs = [(reviews[i], reviews[j]) for i, j in enumerate(others)]
    return pairs, ["1" if labels[i] == labels[j] else "0" for i, j in enumerate(others)]
