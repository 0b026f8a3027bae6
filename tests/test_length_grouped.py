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
from ftlib.data.length_groups import length_group_size

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


# One algorithm for both toolkits: the same lengths, batch size and seed give fairseq's plugin and
# the HF/PEFT Trainer's sampler the same batches in the same order, epoch after epoch.
LENGTHS = [int(x) for x in np.random.RandomState(3).randint(5, 120, size=83)]  # 83: a short last batch


def fairseq_epochs(lengths, batch_size, group_size, seed, epochs):
    """The batches fairseq trains, epoch by epoch, through its own task and iterator code, as
    fairseq-train asks for them (a fresh batch iterator per epoch, batches shuffled)."""
    from fairseq.data import IdDataset, NestedDictionaryDataset, RawLabelDataset
    from fairseq.tasks import FairseqTask
    from fairseq_plugin.length_grouped import LengthGroupedDataset

    # laid out as sentence_prediction's dataset: ids, and the sizes batching reads
    inner = NestedDictionaryDataset({"length": RawLabelDataset(list(lengths)), "id": IdDataset()},
                                    sizes=[np.asarray(lengths)])
    dataset = LengthGroupedDataset(inner, group_size)
    task = FairseqTask(None)
    out = []
    for epoch in range(1, epochs + 1):
        itr = task.get_batch_iterator(dataset, max_sentences=batch_size, seed=seed, epoch=epoch,
                                      required_batch_size_multiple=1)
        out.append([batch["id"].tolist() for batch in itr.next_epoch_itr(shuffle=True)])
    return out


def trainer_epochs(lengths, batch_size, seed, epochs):
    """The batches the HF branch's Trainer feeds (its prepared DataLoader, set_epoch as Trainer
    calls it), each example known by its first token id."""
    from ftlib.core import transformers_guard  # noqa: F401  (before transformers)
    from transformers import DataCollatorWithPadding, RobertaConfig, RobertaForSequenceClassification
    from transformers import PreTrainedTokenizerFast, TrainingArguments
    from tokenizers import Tokenizer, models

    from ftlib.data.length_groups import LengthGroupedBatches
    from ftlib.hf.train import RecipeTrainer

    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"<pad>": 0}, unk_token="<pad>")),
                                        pad_token="<pad>")
    model = RobertaForSequenceClassification(RobertaConfig(vocab_size=200, hidden_size=8, num_hidden_layers=1,
                                                           num_attention_heads=1, intermediate_size=8))
    examples = [{"input_ids": [100 + i] + [5] * (n - 1), "labels": 0} for i, n in enumerate(lengths)]
    trainer = RecipeTrainer(model=model, train_dataset=examples, data_collator=DataCollatorWithPadding(tokenizer),
                            train_batches=LengthGroupedBatches([len(e["input_ids"]) for e in examples], batch_size, seed),
                            args=TrainingArguments(output_dir="/tmp/unused", report_to="none", use_cpu=True))
    loader, out = trainer.get_train_dataloader(), []
    for epoch in range(epochs):
        loader.set_epoch(epoch)
        out.append([[int(i) - 100 for i in batch["input_ids"][:, 0]] for batch in loader])
    return out


@pytest.mark.parametrize("batch_size", [8, 16])
def test_both_toolkits_train_the_same_batches_in_the_same_order(batch_size):
    from ftlib.data.length_groups import length_group_size

    group = length_group_size(len(LENGTHS), batch_size)
    fairseq = fairseq_epochs(LENGTHS, batch_size, group, seed=4, epochs=3)
    hf = trainer_epochs(LENGTHS, batch_size, seed=4, epochs=3)
    assert hf == fairseq
    assert fairseq[0] != fairseq[1]  # a new order each epoch
    assert sorted(i for b in fairseq[0] for i in b) == list(range(len(LENGTHS)))


def test_the_order_follows_the_data_seed_and_draws_nothing_from_torch():
    import torch

    from ftlib.data.length_groups import LengthGroupedBatches

    torch.manual_seed(0)
    before = torch.get_rng_state()
    one, same, other = (list(LengthGroupedBatches(LENGTHS, 8, seed)) for seed in (1, 1, 2))
    assert one == same and one != other
    assert torch.equal(torch.get_rng_state(), before)  # the dropout masks' generator is untouched
