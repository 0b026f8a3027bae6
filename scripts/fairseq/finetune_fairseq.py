"""Snakemake script: fine-tune one (init, seed) with fairseq-train sentence_prediction.

Writes the run's TensorBoard logs, its best checkpoint, and metrics.json: per-epoch
valid/test accuracy read back from those TensorBoard events, and the reported number
(test accuracy at the best-valid epoch).
"""
import re
import shutil
import time
from pathlib import Path

from ftlib.data.checks import read_lines
from ftlib.core.device import resolve
from ftlib.core.errors import run_step
from ftlib.core.recipe import Recipe
from ftlib.fairseq.commands import finetune_command, validate_command
from ftlib.core.metrics import run_metrics
from ftlib.core.proc import find_executable, run_logged
from ftlib.core.textio import write_json


def evaluate_once(recipe, data_bin, checkpoint, log, placement) -> float:
    """Test accuracy of checkpoint_best.pt, from fairseq-validate's own log line."""
    start = Path(log).stat().st_size
    run_logged(validate_command(recipe, data_bin, checkpoint, executable=find_executable("fairseq-validate"),
                                placement=placement),
               log, threads=snakemake.threads)
    found = re.findall(r"valid on 'test' subset \| .*?\| accuracy ([\d.]+)",
                       Path(log).read_bytes()[start:].decode("utf-8", "replace"))
    if len(found) != 1:
        raise RuntimeError(f"fairseq-validate printed {len(found)} test accuracies; see {log}")
    return float(found[0])


def main():
    recipe, out = Recipe.from_config(snakemake.params.hp), snakemake.output
    placement = resolve(**snakemake.params.placement)  # on this node: auto = cuda when present
    run_dir = Path(out.metrics).parent
    # A crashed earlier attempt may have left checkpoints that fairseq would resume from.
    for stale in ("checkpoint_last.pt", "checkpoint_best.pt"):
        (run_dir / stale).unlink(missing_ok=True)
    shutil.rmtree(out.tensorboard, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)

    n_train = len(read_lines(snakemake.input.train_labels))
    total, warmup = recipe.schedule(n_train)
    restore = snakemake.input.get("checkpoint") if snakemake.wildcards.init == "pretrained" else None
    cmd = finetune_command(
        recipe, snakemake.input.data_bin, run_dir, out.tensorboard, int(snakemake.wildcards.seed),
        n_train, restore_file=restore, executable=find_executable("fairseq-train"), placement=placement,
    )
    print(f"fine-tune {snakemake.wildcards.init} seed {snakemake.wildcards.seed}: {n_train} train "
          f"reviews, {total} updates, {warmup} warmup, {snakemake.threads} thread(s), on {placement.device} "
          f"({placement.name}, {placement.precision})", flush=True)
    started = time.time()
    run_logged(cmd, snakemake.log[0], threads=snakemake.threads)
    best_test = None
    if recipe.tests_once:
        best_test = evaluate_once(recipe, snakemake.input.data_bin, out.checkpoint, snakemake.log[0], placement)
    wall = time.time() - started

    metrics = run_metrics(out.tensorboard, best_checkpoint_test=best_test)
    metrics.update(
        init=snakemake.wildcards.init, seed=int(snakemake.wildcards.seed), n_train=n_train,
        total_updates=total, warmup_updates=warmup, threads=snakemake.threads,
        wall_seconds=round(wall, 1), arch=recipe.arch, optimizer=recipe.optimizer,
        batching=recipe.batching, test_eval=recipe.test_eval, **placement.record(),
    )
    if len(metrics["epochs"]) != recipe.max_epoch:
        raise RuntimeError(f"{out.tensorboard}: {len(metrics['epochs'])} epochs logged, expected {recipe.max_epoch}")
    write_json(out.metrics, metrics)
    print(f"best valid epoch {metrics['best_epoch']}: valid {metrics['best_valid_accuracy']:.1f}, "
          f"test {metrics['test_accuracy']:.1f}", flush=True)


run_step(main, [snakemake.output.metrics, snakemake.output.tensorboard,
                snakemake.output.checkpoint], snakemake.log[0])
