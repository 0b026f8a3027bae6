"""``--task sentence_prediction_length_grouped``: fairseq's sentence_prediction, batches of similar length.

fairseq's sentence_prediction orders every split by one random permutation only, so each
batch of 8 reviews is padded to the longest of 8 random lengths: with CLS-books' lengths
(mean ~120, tail to 256) about half of the computed positions are padding, and attention
costs grow with the square of the padded width. This task changes only which reviews
share a batch: each epoch, a fresh random permutation of the training set is cut into groups
of ``length_group_size`` reviews and each group is sorted by length
(ftlib.data.length_groups, the one algorithm the HF and PEFT branches' sampler runs too);
batches are cut from that order and fairseq then shuffles the batches as usual. Evaluation splits are simply sorted by length (their batching does
not change any result). Each review's loss is unchanged by the padding around it (the key
padding mask and the positions ignore pads), the number of batches per epoch is the same,
so the schedule and the update rule are the stock ones.
"""
from dataclasses import dataclass, field

import numpy as np
from fairseq.data import BaseWrapperDataset, SortDataset
from fairseq.tasks import register_task
from fairseq.tasks.sentence_prediction import SentencePredictionConfig, SentencePredictionTask

from ftlib.data.length_groups import grouped_order


@dataclass
class LengthGroupedConfig(SentencePredictionConfig):
    length_group_size: int = field(
        default=400,
        metadata={"help": "training reviews per random group sorted by length; a multiple of "
                          "the batch size (transformers: 50 batches, or fewer to make at least 4 "
                          "groups); 0 sorts the whole split"},
    )


class LengthGroupedDataset(BaseWrapperDataset):
    """Orders indices in length-sorted random groups, drawn again every epoch."""

    def __init__(self, dataset, group_size: int):
        super().__init__(dataset)
        sizes = dataset.sizes
        self._lengths = np.asarray(sizes[0] if isinstance(sizes, list) else sizes)
        self.group_size = group_size

    @property
    def can_reuse_epoch_itr_across_epochs(self):
        return self.group_size == 0  # new groups (so new batches) every epoch otherwise

    def ordered_indices(self):
        # fairseq calls this under numpy_seed(seed + epoch): reproducible, different per epoch
        return grouped_order(self._lengths, self.group_size, np.random)


@register_task("sentence_prediction_length_grouped", dataclass=LengthGroupedConfig)
class LengthGroupedSentencePrediction(SentencePredictionTask):
    def load_dataset(self, split, combine=False, **kwargs):
        dataset = super().load_dataset(split, combine=combine, **kwargs)
        if self.cfg.no_shuffle:
            return dataset
        inner = dataset.dataset if isinstance(dataset, SortDataset) else dataset
        group = self.cfg.length_group_size if split == "train" else 0
        self.datasets[split] = LengthGroupedDataset(inner, group)
        return self.datasets[split]
