"""One length-grouped batching for both toolkits: the fairseq plugin's training order and the
HF/PEFT Trainer's batch sampler (``recipe.batching: length_grouped``).

Epoch e (counted from 1, as fairseq counts) of a training split with data seed s:
1. a permutation of the examples from NumPy's legacy generator seeded s + e, cut into groups of
   ``group_size`` examples, each group sorted by length (stable);
2. batches of ``batch_size`` cut from that order, the last one shorter;
3. the batches shuffled by the same generator seeded s + e again.
Steps 2 and 3 are fairseq's own (``batch_by_size`` with ``--required-batch-size-multiple 1``,
``EpochBatchIterator`` shuffling its batches under ``numpy_seed(seed + epoch)``); step 1 is the
plugin's ``ordered_indices``, which fairseq calls under ``numpy_seed(seed + epoch)``. The Trainer's
sampler runs all three here, so both toolkits train on the same batches in the same order.
Nothing is drawn from torch's generator: the order depends on (data seed, epoch) alone and the
dropout masks on the training seed alone.
"""
from __future__ import annotations

import math

import numpy as np


def length_group_size(n_train: int, batch_size: int) -> int:
    """Examples per length-sorted group: 50 batches, or fewer so that there are at least 4 groups
    (transformers' mega-batch rule), never less than one batch."""
    return batch_size * max(1, min(n_train // (4 * batch_size), 50))


def grouped_order(lengths, group_size: int, rng) -> np.ndarray:
    """Step 1: a permutation drawn from ``rng`` (anything with NumPy's ``permutation``: the module
    ``np.random`` under fairseq's numpy_seed, or a seeded ``RandomState``) cut into groups of
    ``group_size``, each sorted by length; ``group_size`` 0 sorts the whole split, drawing nothing."""
    lengths = np.asarray(lengths)
    if group_size == 0:
        return np.argsort(lengths, kind="stable")
    order = rng.permutation(len(lengths))
    groups = [order[i:i + group_size] for i in range(0, len(order), group_size)]
    return np.concatenate([g[np.argsort(lengths[g], kind="stable")] for g in groups])


def epoch_batches(lengths, batch_size: int, group_size: int, seed: int, epoch: int) -> list[list[int]]:
    """The training batches of ``epoch`` (from 1), in the order they are trained (steps 1-3)."""
    order = grouped_order(lengths, group_size, np.random.RandomState(seed + epoch))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    np.random.RandomState(seed + epoch).shuffle(batches)
    return [batch.tolist() for batch in batches]


class LengthGroupedBatches:
    """A DataLoader ``batch_sampler`` yielding ``epoch_batches``. The Trainer calls ``set_epoch``
    with its epoch counted from 0 before each epoch (a resumed one too, through accelerate's
    skipping wrapper), so a resumed run trains the batches the uninterrupted one trains."""

    def __init__(self, lengths, batch_size: int, seed: int, group_size: int | None = None):
        self.lengths, self.batch_size, self.seed = list(lengths), batch_size, seed
        self.group_size = length_group_size(len(self.lengths), batch_size) if group_size is None else group_size
        self.epoch = 1

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch + 1

    def __iter__(self):
        return iter(epoch_batches(self.lengths, self.batch_size, self.group_size, self.seed, self.epoch))

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)
