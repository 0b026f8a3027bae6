"""Snakemake script: download one real input archive (CLS-books data or the checkpoint)."""
from pathlib import Path

from ftlib.data.download import fetch, zip_holding
from ftlib.core.errors import run_step


def main():
    provides = [Path(p) for p in snakemake.params.provides]
    missing = ", ".join(p.name for p in provides if not p.exists())
    folders = " and ".join(sorted({f"{p.parent}/" for p in provides}))
    by_hand = f"without network, put {missing} into {folders} by hand"
    # what the archive must hold (valid.* may be absent: carved from train when unpacked)
    needed = [p.name for p in provides if not p.name.startswith("valid.")]
    fetch(snakemake.params.url, Path(snakemake.output[0]), snakemake.params.sha256, by_hand,
          verify=zip_holding(needed))


run_step(main, snakemake.output, snakemake.log[0])
