"""Snakemake script: pretrain the demo's tiny RoBERTa as a masked LM with fairseq-train.

Keeps the checkpoints saved every `save_every` updates (model only, a few MB each) in
`output.steps`, named `update<N>.pt`, for the probe of the pretraining curve."""
import re
import shutil
from pathlib import Path

from ftlib.core.device import resolve
from ftlib.core.errors import run_step
from ftlib.fairseq.commands import pretrain_command
from ftlib.core.proc import find_executable, run_logged


def main():
    hp, placement = snakemake.params.hp, resolve(**snakemake.params.placement)
    print(f"masked-LM pretraining on {placement.device} ({placement.name}, {placement.precision})", flush=True)
    save_dir = Path(snakemake.output.checkpoint).parent / "mlm_training"
    shutil.rmtree(save_dir, ignore_errors=True)  # never resume from a stale run
    cmd = pretrain_command(
        hp, snakemake.input.data_bin, save_dir, snakemake.output.tensorboard, hp["seed"],
        executable=find_executable("fairseq-train"), placement=placement,
    )
    run_logged(cmd, snakemake.log[0], threads=snakemake.threads, env=placement.env())
    steps = Path(snakemake.output.steps)
    steps.mkdir(parents=True, exist_ok=True)
    for path in save_dir.glob("checkpoint_*_*.pt"):  # checkpoint_<epoch>_<updates>.pt
        updates = int(re.fullmatch(r"checkpoint_\d+_(\d+)\.pt", path.name).group(1))
        shutil.move(path, steps / f"update{updates}.pt")
    shutil.copyfile(save_dir / "checkpoint_last.pt", steps / f"update{hp['max_update']}.pt")
    shutil.move(save_dir / "checkpoint_last.pt", snakemake.output.checkpoint)
    shutil.rmtree(save_dir, ignore_errors=True)


run_step(main, snakemake.output, snakemake.log[0])
