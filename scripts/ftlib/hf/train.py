"""Fine-tuning a sequence classifier with transformers.Trainer, on fairseq's recipe.

What is kept from fairseq's sentence_prediction so that the two branches run one recipe:
- the schedule: polynomial_decay (power 1, end lr 0) over ceil(n / batch) x epochs updates,
  warmup 6 % of them, the same step-by-step values (first update at lr / warmup too);
- Adam with decoupled weight decay on every parameter (fairseq's adam decays biases and
  layer norms too; Trainer's default optimizer would exempt them), no clipping at clip 0;
- inputs truncated to the first max_positions ids (fairseq's --shorten-method truncate);
- with batching length_grouped, the fairseq plugin's training batches in its order
  (ftlib.data.length_groups), drawn from data_seed alone, so that the dropout masks (seed) and
  the data order (data_seed) are two separate sources, as in the variance study;
- valid accuracy after every epoch, in %, rounded to 1 decimal as fairseq logs it (on batches
  of similar lengths, as fairseq's evaluation: less padding, the same predictions); the reported
  test accuracy is the best-valid epoch's (ties: the later epoch). With the recipe's test_eval
  best_checkpoint (the lab's recipe, as the tuned fairseq path) test is evaluated once, on the
  best-valid epoch's weights, kept when that epoch ends; with every_epoch (stock) after every
  epoch, beside valid. Both give the same numbers and predictions: a test evaluation's only
  random draw (its DataLoader's base seed) is still drawn where it is skipped (SkippedTestDraws);
- TensorBoard logs laid out as fairseq's (<run>/tensorboard/{train_inner,valid,test}, tags
  ``lr``, ``loss``, ``accuracy``), so ftlib.core.metrics reads both branches the same way.
A checkpoint is saved at every epoch's end (model, optimizer, schedule, RNG states), so that a
killed job's next attempt resumes from its last finished epoch (ftlib.core.resume) with the same
numbers as an uninterrupted run.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)
from ftlib.core.device import CPU, Placement
from ftlib.core.recipe import Recipe
from ftlib.hf.data import read_jsonl
from ftlib.core.metrics import run_metrics
from ftlib.core.predictions import write_predictions
from ftlib.core.memory import peak_rss_mb
from ftlib.core.resume import InProgress

from ftlib.data.length_groups import LengthGroupedBatches

from transformers import Trainer, TrainerCallback  # noqa: E402  (after the guard)


def fairseq_polynomial_lr_factor(num_updates: int, warmup: int, total: int) -> float:
    """lr / peak lr for the update after ``num_updates`` updates, as fairseq's polynomial_decay.

    fairseq sets lr / warmup before the first update (step_update is first called after it),
    then num_updates / warmup during warmup, then decays linearly to 0 at ``total``.
    """
    if warmup > 0 and num_updates <= warmup:
        return max(num_updates, 1) / warmup
    if num_updates >= total:
        return 0.0
    return 1.0 - (num_updates - warmup) / (total - warmup)


def tokenize(tokenizer, texts, labels, max_positions: int) -> list[dict]:
    """Token ids truncated to max_positions, as fairseq truncates: a pair task's texts are pairs,
    encoded <s> A </s> </s> B </s> (the tokenizer's pair template: fairseq's GLUE layout)."""
    if texts and isinstance(texts[0], tuple):
        encoded = tokenizer([a for a, _ in texts], [b for _, b in texts])["input_ids"]
    else:
        encoded = tokenizer(texts)["input_ids"]
    return [{"input_ids": ids[:max_positions], "labels": label} for ids, label in zip(encoded, labels)]


def accuracy_percent(predictions, labels) -> float:
    """Accuracy in %, rounded to 1 decimal as fairseq's sentence_prediction logs it."""
    correct = int((predictions == labels).sum())
    return round(100.0 * correct / len(labels), 1)


class FairseqStyleLogs(TrainerCallback):
    """Writes fairseq's TensorBoard layout, and one progress line per evaluation."""

    def __init__(self, tensorboard_dir, log_interval: int, test_events: bool = True):
        from torch.utils.tensorboard import SummaryWriter

        # test_events False: test is evaluated once, after training; its accuracy goes to
        # metrics.json, as the tuned fairseq path's (ftlib.core.metrics.run_metrics)
        self.log_interval, self.test_events = log_interval, test_events
        self.writers = {name: SummaryWriter(str(Path(tensorboard_dir) / name))
                        for name in ("train_inner", "valid", "test")}

    def on_step_end(self, args, state, control, optimizer=None, **kwargs):
        # After the scheduler's step: the lr of the next update, which is what fairseq logs.
        if state.global_step % self.log_interval == 0:
            self.writers["train_inner"].add_scalar("lr", optimizer.param_groups[0]["lr"], state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        # fairseq logs losses in base 2 (bits); the same unit keeps the two logs comparable.
        if logs and "loss" in logs:
            self.writers["train_inner"].add_scalar("loss", logs["loss"] / math.log(2), state.global_step)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        for subset in ("valid", "test") if self.test_events else ("valid",):
            key = f"eval_{subset}_accuracy"
            if metrics and key in metrics:
                self.writers[subset].add_scalar("accuracy", metrics[key], state.global_step)
                self.writers[subset].add_scalar("loss", metrics[f"eval_{subset}_loss"] / math.log(2), state.global_step)
                print(f"epoch {round(state.epoch)} update {state.global_step}: {subset} accuracy "
                      f"{metrics[key]:.1f}", flush=True)

    def close(self):
        for writer in self.writers.values():
            writer.close()


def by_length(examples: list[dict]) -> list[int]:
    """Positions of the examples, shortest first (ties in file order): evaluation batches of
    similar lengths carry little padding, as fairseq evaluates its length-sorted splits."""
    return sorted(range(len(examples)), key=lambda i: len(examples[i]["input_ids"]))


def in_file_order(values: list, order: list[int]) -> list:
    """Values produced in ``order`` (values[k] belongs to example order[k]) back in file order."""
    restored = [None] * len(order)
    for value, position in zip(values, order):
        restored[position] = value
    return restored


class BestValidWeights(TrainerCallback):
    """The trainable weights of the best-valid epoch so far (ties: the later epoch, fairseq's
    checkpoint_best.pt), kept in ``folder`` when an epoch's valid evaluation ends, with their
    epoch and accuracy in the same file (replaced whole), where a resumed attempt finds them;
    frozen weights do not change, so the trainable ones are the whole difference from the model
    as built."""

    def __init__(self, model, folder: Path):
        import torch

        self.model, self.path = model, folder / "best_valid.pt"
        # on the CPU: a resumed attempt may run on another node (load_state_dict copies to the model's device)
        self.best = torch.load(self.path, map_location="cpu", weights_only=True) if self.path.is_file() else None

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        import torch

        accuracy = (metrics or {}).get("eval_valid_accuracy")
        if accuracy is None or (self.best is not None and accuracy < self.best["valid_accuracy"]):
            return
        self.best = {"epoch": round(state.epoch), "valid_accuracy": accuracy,
                     "weights": {name: p.detach().clone() for name, p in self.model.named_parameters()
                                 if p.requires_grad}}
        partial = self.path.with_suffix(".partial")
        torch.save(self.best, partial)
        partial.replace(self.path)

    def restore(self) -> int:
        """Load the kept weights into the model; returns their epoch."""
        load_trainable(self.model, self.best["weights"], self.path)
        return self.best["epoch"]


def load_trainable(model, weights: dict, source) -> None:
    """Load kept trainable ``weights`` into ``model`` (built as the run built it); every trainable
    weight must be among them and none foreign, else one line naming ``source``."""
    from ftlib.core.errors import InputError

    missing, unexpected = model.load_state_dict(weights, strict=False)
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    if unexpected or trainable & set(missing):
        raise InputError(source, f"does not fit the model ({len(unexpected)} unexpected, "
                                 f"{len(trainable & set(missing))} trainable weights missing)")


class SkippedTestDraws(TrainerCallback):
    """Tests once: after each epoch's valid evaluation, draw what the skipped test evaluation
    would have drawn from torch's global generator (its DataLoader's base seed, drawn when the
    first batch is fetched), so that every later batch order and dropout mask is the one the
    every-epoch path draws and both give the same numbers (tests/test_tuned_path.py)."""

    def __init__(self, first_test_batch):
        self.first_test_batch = first_test_batch

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if metrics and "eval_valid_accuracy" in metrics:
            self.first_test_batch()


class TestPredictions(TrainerCallback):
    """The test split's predicted labels at each test evaluation (compute_metrics hands over each
    evaluation's predictions; on_evaluate says which subset they were), so that the best-valid
    epoch's predictions can be compared example by example. Kept in ``path`` as well, where a
    resumed attempt finds the epochs of the killed one."""

    def __init__(self, path: Path, order: list[int]):
        # order: the test examples' file positions in the order they are evaluated (by length)
        self.path, self.order, self.pending = path, order, None
        self.by_epoch = json.loads(path.read_text()) if path.is_file() else {}

    @property
    def per_epoch(self) -> list:
        return [self.by_epoch[str(epoch)] for epoch in sorted(map(int, self.by_epoch))]

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if metrics and "eval_test_accuracy" in metrics:
            self.by_epoch[str(round(state.epoch))] = {key: in_file_order(values, self.order)
                                                      for key, values in self.pending.items()}
            self.path.write_text(json.dumps(self.by_epoch))

    def on_save(self, args, state, control, **kwargs):
        print(f"epoch {round(state.epoch)}: checkpoint saved", flush=True)


class RecipeTrainer(Trainer):
    """The Trainer with the project's orders. Training: with ``train_batches`` (batching
    length_grouped) the batches of ftlib.data.length_groups, the fairseq plugin's algorithm seeded
    by data_seed (transformers' own group_by_length draws its order from torch's generator, the one
    the dropout masks come from, and never reads data_seed); else transformers' random order.
    Evaluation: each split in the order given (shortest first, by_length), not in transformers' own,
    so that the test predictions can be put back in file order."""

    def __init__(self, *args, train_batches: LengthGroupedBatches | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.train_batches = train_batches

    def get_train_dataloader(self):
        import torch

        if self.train_batches is None:
            return super().get_train_dataloader()
        loader = torch.utils.data.DataLoader(self.train_dataset, batch_sampler=self.train_batches,
                                             collate_fn=self.data_collator, num_workers=0)
        return self.accelerator.prepare(loader)

    def _get_eval_sampler(self, eval_dataset):
        import torch

        return torch.utils.data.SequentialSampler(eval_dataset)


def test_on_best_valid_weights(trainer, best_weights: BestValidWeights, test) -> float:
    """Test accuracy of the best-valid epoch's weights (evaluated once, after training)."""
    epoch = best_weights.restore()
    accuracy = trainer.evaluate(eval_dataset=test, metric_key_prefix="eval_test")["eval_test_accuracy"]
    print(f"test accuracy {accuracy:.1f} on the best-valid epoch's weights (epoch {epoch})", flush=True)
    return accuracy


def open_work(out_dir: Path, settings: dict):
    """The run's working folder (ftlib.core.resume: the Trainer's checkpoints and the TensorBoard
    events while the run is going) and the checkpoint to resume from, if a killed attempt with
    the same settings left one. A folder of the code that kept the best-valid weights only when
    testing once (no "keeps" in its settings) starts over."""
    from transformers.trainer_utils import get_last_checkpoint

    work = InProgress(out_dir, {**settings, "keeps": "best_valid.pt"})
    checkpoints = work.path / "trainer"
    resume_from = get_last_checkpoint(checkpoints) if checkpoints.is_dir() else None
    if work.open(resumable=resume_from is not None):
        print(f"resuming the killed attempt from {resume_from}", flush=True)
        return work, resume_from
    return work, None


def tokenized_splits(tokenizer, data_files: dict, label_list, max_positions: int) -> dict:
    splits = {}
    for split in ("train", "valid", "test"):
        texts, labels = read_jsonl(data_files[split], label_list)
        splits[split] = tokenize(tokenizer, texts, labels, max_positions)
    return splits


def recipe_optimizer(model, recipe: Recipe, total: int, warmup: int):
    """fairseq's Adam (decoupled weight decay on every trainable weight) and its polynomial schedule."""
    import torch

    trainable = [p for p in model.parameters() if p.requires_grad]
    # optimizer adamw_fused (the fairseq branch's speed lever): the same update in one fused kernel.
    optimizer = torch.optim.AdamW(trainable, lr=recipe.lr, betas=recipe.adam_betas, eps=recipe.adam_eps,
                                  weight_decay=recipe.weight_decay, fused=recipe.optimizer == "adamw_fused")
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: fairseq_polynomial_lr_factor(step, warmup, total))
    return optimizer, scheduler


def training_arguments(recipe: Recipe, checkpoints: Path, seed: int, data_seed: int, placement: Placement):
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(checkpoints), per_device_train_batch_size=recipe.batch_size,
        per_device_eval_batch_size=max(recipe.batch_size, 32), num_train_epochs=recipe.max_epoch,
        eval_strategy="epoch", save_strategy="epoch", save_total_limit=1,
        logging_strategy="steps", logging_steps=recipe.log_interval,
        report_to="none", seed=seed, data_seed=data_seed, dataloader_num_workers=0, **placement.trainer_args(),
        max_grad_norm=recipe.clip_norm, disable_tqdm=True, remove_unused_columns=False,
    )


class PredictionMetrics:
    """Trainer's compute_metrics: accuracy in %, and each evaluation's predicted labels and
    probabilities handed to TestPredictions (which keeps the test split's)."""

    def __init__(self, label_list, test_predictions: TestPredictions):
        self.label_list, self.test_predictions = label_list, test_predictions

    def __call__(self, prediction):
        import numpy as np

        # the logits: first of a tuple when the model returns more (T5's classifier: its encoder states)
        output = prediction.predictions
        logits = (output[0] if isinstance(output, tuple) else output).astype(np.float64)
        predicted = np.argmax(logits, axis=-1)
        probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        self.test_predictions.pending = {"predicted": [str(self.label_list[i]) for i in predicted.tolist()],
                                         "probabilities": probabilities.round(6).tolist()}
        return {"accuracy": accuracy_percent(predicted, prediction.label_ids)}


def checked_best_predictions(trainer, recipe: Recipe, metrics: dict, total: int, best_weights,
                             test_predictions: TestPredictions, tensorboard_dir) -> dict:
    """The best-valid epoch's test predictions, once the run is checked whole: every update of
    the schedule, every epoch logged, the kept weights' epoch the logs' best, every test pass."""
    if trainer.state.global_step != total:
        raise RuntimeError(f"Trainer ran {trainer.state.global_step} updates, the schedule expects {total}")
    if len(metrics["epochs"]) != recipe.max_epoch:
        raise RuntimeError(f"{tensorboard_dir}: {len(metrics['epochs'])} epochs logged, expected {recipe.max_epoch}")
    if best_weights.best["epoch"] != metrics["best_epoch"]:
        raise RuntimeError(f"kept the weights of epoch {best_weights.best['epoch']}, the logs' best-valid epoch "
                           f"is {metrics['best_epoch']}")
    if len(test_predictions.per_epoch) != recipe.test_passes:
        raise RuntimeError(f"{len(test_predictions.per_epoch)} test evaluations, expected {recipe.test_passes}")
    return test_predictions.per_epoch[-1 if recipe.tests_once else metrics["best_epoch"] - 1]


def train_classifier(model, tokenizer, data_files: dict, recipe: Recipe, out_dir, seed: int, threads: int,
                     label_list, placement: Placement = CPU, predictions_path=None, data_seed: int | None = None,
                     weights_path=None) -> dict:
    """Fine-tune ``model`` on data_files["train"], evaluating "valid" each epoch and "test" as
    the recipe's test_eval says.

    ``recipe`` is the fine-tuning recipe (ftlib.core.recipe); its fairseq-only keys (the
    special tokens) do not apply; test_eval says whether test is evaluated after every epoch
    or once, on the best-valid epoch's weights. ``seed``: Trainer's (the dropout masks);
    ``data_seed``: the order of the training examples (default: seed).
    Returns the fairseq branch's metrics.json keys (epochs, best_epoch, best_valid_accuracy,
    test_accuracy, lr, wall_seconds, threads, n_train, total_updates, warmup_updates, seed,
    arch) plus peak_rss_mb; the caller adds ``init``. Numbers are read back from the run's
    own TensorBoard logs under ``out_dir/tensorboard``. ``predictions_path``: where to write the
    best-valid epoch's per-example test predictions (ftlib.core.predictions); ``weights_path``: where
    to keep the best-valid epoch's trainable weights (BestValidWeights' file, what an export reads).
    """
    import torch

    from ftlib.core.stream_dropout import install

    torch.set_num_threads(threads)
    print(f"torch threads: {torch.get_num_threads()}", flush=True)
    install(placement.dropout_masks)
    out_dir, data_seed = Path(out_dir), seed if data_seed is None else data_seed
    work, resume_from = open_work(out_dir, {
        "recipe": dataclasses.asdict(recipe), "seed": seed, "data_seed": data_seed, "threads": threads,
        "labels": list(label_list), "placement": placement.record(), "model": type(model).__name__})
    splits = tokenized_splits(tokenizer, data_files, label_list, recipe.max_positions)
    n_train = len(splits["train"])
    total, warmup = recipe.schedule(n_train)
    print(f"{n_train} train / {len(splits['valid'])} valid / {len(splits['test'])} test examples, "
          f"{total} updates, {warmup} warmup, {threads} thread(s)", flush=True)
    trainer, parts = build_trainer(model, tokenizer, recipe, splits, work.path, label_list,
                                   training_arguments(recipe, work.path / "trainer", seed, data_seed, placement),
                                   recipe_optimizer(model, recipe, total, warmup), data_seed)
    started = time.time()
    try:
        trainer.train(resume_from_checkpoint=resume_from)
    finally:
        parts["logs"].close()
    test_once = (test_on_best_valid_weights(trainer, parts["best_weights"], parts["in_order"]["test"])
                 if recipe.tests_once else None)
    wall = time.time() - started
    metrics = run_metrics(work.path / "tensorboard", best_checkpoint_test=test_once)
    best = checked_best_predictions(trainer, recipe, metrics, total, parts["best_weights"],
                                    parts["test_predictions"], work.path / "tensorboard")
    if predictions_path is not None:
        gold = [str(label_list[example["labels"]]) for example in splits["test"]]
        write_predictions(predictions_path, gold, best["predicted"], best["probabilities"],
                          [str(label) for label in label_list])
    metrics.update(
        # the best-valid epoch's test predictions (labels as in the data), one per test example
        test_predictions=best["predicted"],
        seed=seed, data_seed=data_seed, threads=threads, n_train=n_train, total_updates=total, warmup_updates=warmup,
        wall_seconds=round(wall, 1), arch=recipe.arch,
        peak_rss_mb=round(peak_rss_mb(), 1), **placement.record(),
    )
    hand_over_outputs(work, out_dir, parts["best_weights"], weights_path)
    return metrics


def hand_over_outputs(work, out_dir: Path, best_weights: BestValidWeights, weights_path) -> None:
    """The run's TensorBoard events (and its best-valid weights, when asked) out of the working
    folder into the run's folder, then the working folder removed."""
    work.hand_over("tensorboard", out_dir / "tensorboard")
    if weights_path is not None:
        work.hand_over(best_weights.path.name, weights_path)
    work.close()


def build_trainer(model, tokenizer, recipe: Recipe, splits: dict, work_path: Path, label_list, args,
                  optimizers, data_seed: int):
    """The RecipeTrainer and its callbacks: fairseq-style logs, the test predictions, the
    best-valid weights, and with test_eval best_checkpoint the skipped test passes' draws."""
    from transformers import DataCollatorWithPadding

    logs = FairseqStyleLogs(work_path / "tensorboard", recipe.log_interval, test_events=not recipe.tests_once)
    order = {split: by_length(splits[split]) for split in ("valid", "test")}
    in_order = {split: [splits[split][i] for i in order[split]] for split in ("valid", "test")}
    test_predictions = TestPredictions(work_path / "test_predictions.json", order["test"])
    # batching length_grouped (the fairseq branch's lever): the fairseq plugin's batches, seeded by data_seed
    batches = (LengthGroupedBatches([len(e["input_ids"]) for e in splits["train"]], recipe.batch_size, data_seed)
               if recipe.batching == "length_grouped" else None)
    trainer = RecipeTrainer(
        train_batches=batches,
        model=model, args=args, train_dataset=splits["train"],
        eval_dataset={"valid": in_order["valid"]} if recipe.tests_once else in_order,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=PredictionMetrics(label_list, test_predictions),
        optimizers=optimizers, callbacks=[logs, test_predictions],
    )
    # kept with either test_eval (no random draw): tests_once evaluates them, an export reads them
    best_weights = BestValidWeights(model, work_path)
    trainer.add_callback(best_weights)
    if recipe.tests_once:
        trainer.add_callback(SkippedTestDraws(lambda: next(iter(trainer.get_eval_dataloader(in_order["test"])))))
    return trainer, {"logs": logs, "in_order": in_order, "test_predictions": test_predictions,
                     "best_weights": best_weights}
