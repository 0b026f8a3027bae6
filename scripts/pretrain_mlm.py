"""Snakemake script: pretrain the demo's tiny RoBERTa as a masked LM with fairseq-train."""
import shutil
from pathlib import Path

from ftlib.errors import run_step
from ftlib.fairseq_cmd import pretrain_command
from ftlib.proc import find_executable, run_logged


def main():
    hp = snakemake.params.hp
    save_dir = Path(snakemake.output.checkpoint).parent / "mlm_training"
    shutil.rmtree(save_dir, ignore_errors=True)  # never resume from a stale run
    cmd = pretrain_command(
        hp, snakemake.input.data_bin, save_dir, snakemake.output.tensorboard, hp["seed"],
        executable=find_executable("fairseq-train"),
    )
    run_logged(cmd, snakemake.log[0], threads=snakemake.threads)
    shutil.move(save_dir / "checkpoint_last.pt", snakemake.output.checkpoint)
    shutil.rmtree(save_dir, ignore_errors=True)


run_step(main, snakemake.output, snakemake.log[0])
