"""The fairseq command lines of the workflow, built from config values.

Kept as pure functions so that tests can check the recipe (warmup from the data, the
pretrained/scratch difference) without running fairseq.
"""
from __future__ import annotations

from pathlib import Path

from ftlib.core.device import CPU, Placement
from ftlib.core.recipe import Recipe
from ftlib.data.length_groups import length_group_size

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "fairseq_plugin"  # scripts/fairseq_plugin
# config `batching` -> fairseq task: fairseq's own, or the plugin's length-grouped batches
TASKS = {"shuffled": "sentence_prediction", "length_grouped": "sentence_prediction_length_grouped"}


def finetune_command(
    recipe: Recipe,
    data_bin,
    save_dir,
    tensorboard_dir,
    seed: int,
    n_train: int,
    restore_file=None,
    executable: str = "fairseq-train",
    placement: Placement = CPU,
    resumable: bool = False,
    resume_from=None,
) -> list[str]:
    """fairseq-train sentence_prediction, as fairseq's RoBERTa GLUE recipe runs it.

    ``restore_file`` given: the pretrained init (weights only; optimizer, dataloader and
    meters reset). None: the scratch init, from random weights. ``resumable``: also keep
    checkpoint_last.pt with the optimizer's state at every epoch's end, which a later
    ``resume_from`` (that checkpoint) continues from: model, optimizer, lr schedule, data
    order, best score and update count (the update count seeds each update's dropout).
    """
    total, warmup = recipe.schedule(n_train)
    betas = f"({recipe.adam_betas[0]},{recipe.adam_betas[1]})"
    cmd = [
        executable, str(data_bin),
        "--user-dir", str(PLUGIN_DIR),
        # stock: batches of random lengths; tuned: batches of similar lengths (plugin task)
        "--task", TASKS[recipe.batching], "--criterion", "sentence_prediction",
        "--arch", recipe.arch,
        "--num-classes", str(recipe.num_classes),
        "--init-token", str(recipe.init_token), "--separator-token", str(recipe.separator_token),
        "--max-positions", str(recipe.max_positions), "--shorten-method", "truncate",
        "--batch-size", str(recipe.batch_size), "--required-batch-size-multiple", "1",
        "--dropout", str(recipe.dropout), "--attention-dropout", str(recipe.attention_dropout),
        "--optimizer", recipe.optimizer, "--adam-betas", betas, "--adam-eps", str(recipe.adam_eps),
        "--weight-decay", str(recipe.weight_decay), "--clip-norm", str(recipe.clip_norm),
        "--lr-scheduler", "polynomial_decay", "--lr", str(recipe.lr),
        "--total-num-update", str(total), "--warmup-updates", str(warmup),
        "--max-epoch", str(recipe.max_epoch),
        # stock: test evaluated every epoch; tuned: only the best checkpoint, once, afterwards
        "--valid-subset", "valid" if recipe.tests_once else "valid,test",
        "--best-checkpoint-metric", "accuracy", "--maximize-best-checkpoint-metric",
        "--save-dir", str(save_dir), "--no-epoch-checkpoints",
        *([] if resumable else ["--no-last-checkpoints", "--no-save-optimizer-state"]),
        "--tensorboard-logdir", str(tensorboard_dir),
        "--seed", str(seed), *placement.fairseq_flags(), "--num-workers", "0",
        "--log-format", "simple", "--log-interval", str(recipe.log_interval),
    ]
    if recipe.batching == "length_grouped":
        cmd += ["--length-group-size", str(length_group_size(n_train, recipe.batch_size))]
    if resume_from is not None:
        cmd += ["--restore-file", str(resume_from)]
    elif restore_file is not None:
        cmd += [
            "--restore-file", str(restore_file),
            "--reset-optimizer", "--reset-dataloader", "--reset-meters",
        ]
    return cmd


def validate_command(recipe: Recipe, data_bin, checkpoint, subset: str = "test",
                     executable: str = "fairseq-validate", placement: Placement = CPU) -> list[str]:
    """fairseq-validate of one checkpoint on one subset (the tuned path's test evaluation)."""
    return [
        executable, str(data_bin), "--path", str(checkpoint),
        "--user-dir", str(PLUGIN_DIR),
        # the task's config refers to the criterion's (classification head name)
        "--task", "sentence_prediction", "--criterion", "sentence_prediction",
        "--valid-subset", subset, "--batch-size", str(recipe.batch_size),
        # fairseq-validate's default multiple is 8: it then drops the last reviews of a split whose
        # size is not a multiple of 8 (measured: 96 of 100 test reviews), so the number would differ
        # from the test accuracy fairseq-train logs for the same checkpoint
        "--required-batch-size-multiple", "1",
        *placement.fairseq_flags(), "--num-workers", "0", "--log-format", "simple",
    ]


def preprocess_command(prefixes: dict, destdir, workers: int, dictionary=None,
                       executable: str = "fairseq-preprocess") -> list[str]:
    """fairseq-preprocess --only-source of {split: file}: with no language suffix each "prefix"
    is the file itself. ``dictionary`` given: its symbols (--srcdict); else built from train."""
    cmd = [executable, "--only-source", "--destdir", str(destdir), "--workers", str(workers)]
    if dictionary is not None:
        cmd += ["--srcdict", str(dictionary)]
    for split, prefix in prefixes.items():
        cmd += [f"--{split}pref", str(prefix)]
    return cmd


def pretrain_command(hp: dict, data_bin, save_dir, tensorboard_dir, seed: int,
                     executable: str = "fairseq-train", placement: Placement = CPU) -> list[str]:
    """fairseq-train masked_lm: the demo's own 'pretrained' checkpoint. ``save_every`` updates
    it also keeps a checkpoint_<epoch>_<updates>.pt (model only), for the probe of the
    pretraining curve."""
    save_every = hp["save_every"]
    return [
        executable, str(data_bin),
        "--user-dir", str(PLUGIN_DIR),
        "--task", "masked_lm", "--criterion", "masked_lm", "--arch", hp["arch"],
        "--sample-break-mode", "eos", "--tokens-per-sample", str(hp["tokens_per_sample"]),
        "--max-positions", str(hp["max_positions"]),
        "--batch-size", str(hp["batch_size"]), "--required-batch-size-multiple", "1",
        "--optimizer", "adam", "--adam-betas", "(0.9,0.98)", "--adam-eps", "1e-6",
        "--weight-decay", "0.01", "--clip-norm", "0.0",
        "--lr-scheduler", "polynomial_decay", "--lr", str(hp["lr"]),
        "--warmup-updates", str(hp["warmup_updates"]), "--total-num-update", str(hp["max_update"]),
        "--max-update", str(hp["max_update"]),
        "--dropout", str(hp["dropout"]), "--attention-dropout", str(hp["attention_dropout"]),
        "--save-dir", str(save_dir), "--no-epoch-checkpoints", "--save-interval-updates", str(save_every),
        "--no-save-optimizer-state", "--disable-validation",
        "--tensorboard-logdir", str(tensorboard_dir),
        "--seed", str(seed), *placement.fairseq_flags(), "--num-workers", "0",
        "--log-format", "simple", "--log-interval", "25",
    ]
