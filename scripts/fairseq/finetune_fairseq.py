"""Snakemake script: fine-tune one (init, seed) with fairseq-train sentence_prediction.

Writes the run's TensorBoard logs, its best checkpoint, and metrics.json: per-epoch
valid/test accuracy read back from those TensorBoard events, and the reported number
(test accuracy at the best-valid epoch). A killed attempt is resumed from its last finished
epoch by the next one, with the same numbers as an uninterrupted run.
"""
import time
from pathlib import Path

from ftlib.data.checks import read_lines
from ftlib.core.device import resolve
from ftlib.core.errors import run_step
from ftlib.core.recipe import Recipe
from ftlib.fairseq.commands import finetune_command
from ftlib.fairseq.predict import predict_split
from ftlib.core.predictions import write_predictions
from ftlib.core.run_record import run_record
from ftlib.core.metrics import as_fairseq_logs, run_metrics
from ftlib.core.memory import peak_rss_mb
from ftlib.core.proc import find_executable, run_logged
from ftlib.core.resume import InProgress
from ftlib.core.textio import write_json


def keep_best_checkpoint(work: Path, checkpoint) -> None:
    """checkpoint_best.pt as the run's output, without the optimizer state it carries for a
    resume (three times the weights' size; nothing reads it from there)."""
    import torch

    state = torch.load(work / "checkpoint_best.pt", map_location="cpu", weights_only=False)
    state.pop("last_optimizer_state", None)
    torch.save(state, checkpoint)


def main():
    recipe, out = Recipe.from_config(snakemake.params.hp), snakemake.output
    placement = resolve(**snakemake.params.placement)  # on this node: auto = cuda when present
    run_dir = Path(out.metrics).parent
    n_train = len(read_lines(snakemake.input.train_labels))
    total, warmup = recipe.schedule(n_train)
    restore = snakemake.input.get("checkpoint") if snakemake.wildcards.init == "pretrained" else None

    # fairseq's save dir and TensorBoard folder while the run is going: a killed job's next
    # attempt continues from its last finished epoch (ftlib.core.resume).
    work = InProgress(run_dir, {"recipe": snakemake.params.hp, "placement": placement.record(),
                                "init": snakemake.wildcards.init, "seed": snakemake.wildcards.seed})
    def command(resume_from=None):
        return finetune_command(
            recipe, snakemake.input.data_bin, work.path, work.path / "tensorboard", int(snakemake.wildcards.seed),
            n_train, restore_file=restore, executable=find_executable("fairseq-train"), placement=placement,
            resumable=True, resume_from=resume_from,
        )

    last = work.path / "checkpoint_last.pt"
    resuming = work.open(resumable=last.is_file())
    print(f"fine-tune {snakemake.wildcards.init} seed {snakemake.wildcards.seed}: {n_train} train "
          f"reviews, {total} updates, {warmup} warmup, {snakemake.threads} thread(s), on {placement.device} "
          f"({placement.name}, {placement.precision})", flush=True)
    if resuming:
        print(f"resuming the killed attempt from {last}", flush=True)
    started = time.time()
    run_logged(command(last if resuming else None), snakemake.log[0], threads=snakemake.threads,
               env=placement.env())
    # One pass over test, on checkpoint_best.pt: its predictions, and (tuned path) the reported
    # accuracy from them (tests/test_tuned_path.py: equal to fairseq-validate's on the demo).
    keep_best_checkpoint(work.path, out.checkpoint)
    labels = [str(label) for label in snakemake.params.labels]
    gold, predicted, probabilities = predict_split(out.checkpoint, snakemake.input.data_bin, labels,
                                                   cuda=placement.device == "cuda")
    accuracy = write_predictions(out.predictions, gold, predicted, probabilities, labels)
    wall = time.time() - started

    reported = as_fairseq_logs(accuracy) if recipe.tests_once else None
    metrics = run_metrics(work.path / "tensorboard", best_checkpoint_test=reported)
    metrics.update(
        init=snakemake.wildcards.init, seed=int(snakemake.wildcards.seed), n_train=n_train,
        total_updates=total, warmup_updates=warmup, threads=snakemake.threads,
        wall_seconds=round(wall, 1), arch=recipe.arch, optimizer=recipe.optimizer,
        batching=recipe.batching, test_eval=recipe.test_eval, **placement.record(),
        peak_rss_mb=round(peak_rss_mb(children=True), 1),  # fairseq-train's
    )
    if len(metrics["epochs"]) != recipe.max_epoch:
        raise RuntimeError(f"{work.path / 'tensorboard'}: {len(metrics['epochs'])} epochs logged, expected {recipe.max_epoch}")
    print(f"test predictions of checkpoint_best.pt: accuracy {accuracy:.2f} (reported: {metrics['test_accuracy']})",
          flush=True)
    work.hand_over("tensorboard", out.tensorboard)
    setting = {"setting": snakemake.params.setting} if snakemake.params.get("setting") else {}
    write_json(out.record, run_record(snakemake.params.branch, snakemake.wildcards.init, int(snakemake.wildcards.seed),
                                      dict(snakemake.params.hp), metrics, **setting,
                                      code_digest=snakemake.params.code))
    write_json(out.metrics, metrics)
    work.close()
    print(f"best valid epoch {metrics['best_epoch']}: valid {metrics['best_valid_accuracy']:.1f}, "
          f"test {metrics['test_accuracy']:.1f}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
