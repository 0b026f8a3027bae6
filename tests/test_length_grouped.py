"""Length-grouped batches (the benchmark's main lever) change which reviews share a batch, nothing else.

Run in-process on the reduced demo's binarized data with fairseq's own task and iterator code.
"""
import numpy as np
import pytest
import torch

import fairseq_plugin  # noqa: F401  (registers the task)
from fairseq import checkpoint_utils
from fairseq.tasks.sentence_prediction import SentencePredictionConfig, SentencePredictionTask
from fairseq_plugin.length_grouped import LengthGroupedConfig, LengthGroupedSentencePrediction
from ftlib.fairseq.commands import length_group_size

TASK = dict(num_classes=2, init_token=0, separator_token=2, max_positions=256, shorten_method="truncate",
            seed=1)  # a plain config: fairseq-train would fill seed from --seed


def batches(task, split, epoch, seed=1, batch_size=8):
    task.load_dataset(split)
    dataset = task.dataset(split)
    itr = task.get_batch_iterator(dataset, max_sentences=batch_size, seed=seed, epoch=epoch,
                                  required_batch_size_multiple=1)
    return dataset, [list(b) for b in itr.frozen_batches]


def padded_positions(dataset, batch_list):
    sizes = np.asarray(dataset.sizes[0] if isinstance(dataset.sizes, list) else dataset.sizes)
    return sum(len(b) * int(sizes[b].max()) for b in batch_list), int(sizes.sum())


@pytest.fixture(scope="module")
def tasks(demo_run):
    data = str(demo_run / "data/demo/bin")
    stock = SentencePredictionTask.setup_task(SentencePredictionConfig(data=data, **TASK))
    grouped = LengthGroupedSentencePrediction.setup_task(LengthGroupedConfig(data=data, length_group_size=16, **TASK))
    return stock, grouped


def test_every_review_once_per_epoch_in_as_many_batches_as_stock(tasks):
    stock, grouped = tasks
    _, stock_batches = batches(stock, "train", 1)
    for epoch in (1, 2):
        dataset, grouped_batches = batches(grouped, "train", epoch)
        assert len(grouped_batches) == len(stock_batches)  # same schedule: ceil(n / 8) updates
        assert sorted(i for b in grouped_batches for i in b) == list(range(len(dataset)))


def test_groups_are_drawn_again_each_epoch_and_reproducibly(tasks):
    grouped = tasks[1]
    one, two, one_again = (set(map(frozenset, batches(grouped, "train", e)[1])) for e in (1, 2, 1))
    assert one == one_again
    assert one != two


def test_grouped_batches_carry_less_padding(tasks):
    stock, grouped = tasks
    dataset, stock_batches = batches(stock, "train", 1)
    stock_positions, real = padded_positions(dataset, stock_batches)
    dataset, grouped_batches = batches(grouped, "train", 1)
    grouped_positions, _ = padded_positions(dataset, grouped_batches)
    assert real <= grouped_positions < stock_positions
    # evaluation splits are sorted by length outright
    dataset, valid_batches = batches(grouped, "valid", 1)
    order = [i for b in valid_batches for i in b]
    sizes = np.asarray(dataset.sizes[0])
    assert sorted(order) == list(range(len(dataset)))
    assert all(sizes[a].max() <= sizes[b].min() for a, b in zip(valid_batches, valid_batches[1:]))


def test_a_reviews_prediction_does_not_depend_on_the_padding_around_it(demo_run):
    """Why grouping is the same math: each review's output is the same alone or padded
    beside a longer review (key padding mask, pad-aware positions)."""
    checkpoint = demo_run / "runs/demo/fairseq/pretrained/seed0/checkpoint_best.pt"
    models, _, task = checkpoint_utils.load_model_ensemble_and_task(
        [str(checkpoint)], arg_overrides={"data": str(demo_run / "data/demo/bin")})
    model = models[0].eval()
    task.load_dataset("valid")
    dataset = task.dataset("valid")
    sizes = np.asarray(dataset.sizes[0])
    shortest, longest = int(sizes.argmin()), int(sizes.argmax())
    assert sizes[longest] > sizes[shortest] + 10

    def logits(indices):
        sample = dataset.collater([dataset[i] for i in indices])
        with torch.no_grad():
            out, _ = model(**sample["net_input"], features_only=True,
                           classification_head_name="sentence_classification_head")
        return {int(i): row for i, row in zip(sample["id"], out)}

    alone = logits([shortest])[shortest]
    padded = logits([shortest, longest])[shortest]
    torch.testing.assert_close(padded, alone, rtol=1e-5, atol=1e-5)


def test_group_size_follows_transformers_rule():
    # 50 batches, or fewer so that there are at least 4 groups; never less than a batch
    assert length_group_size(1800, 8) == 400  # the real set: 4.5 groups of 50 batches
    assert length_group_size(160, 8) == 40  # the demo: 4 groups of 5 batches
    assert length_group_size(20, 8) == 8
