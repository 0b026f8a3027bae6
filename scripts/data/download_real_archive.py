"""Snakemake script: download one real input archive (CLS-books data or the checkpoint)."""
from pathlib import Path

from ftlib.data.download import fetch
from ftlib.core.errors import run_step


def main():
    provides = [Path(p) for p in snakemake.params.provides]
    missing = ", ".join(p.name for p in provides if not p.exists())
    folders = " and ".join(sorted({f"{p.parent}/" for p in provides}))
    by_hand = f"without network, put {missing} into {folders} by hand"
    fetch(snakemake.params.url, Path(snakemake.output[0]), snakemake.params.sha256, by_hand)


run_step(main, snakemake.output, snakemake.log[0])
