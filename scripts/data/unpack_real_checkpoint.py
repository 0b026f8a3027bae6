"""Snakemake script: take one file of the real checkpoint out of the downloaded archive."""
import tempfile
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_to_unpack, install_checkpoint_file, unpack


def main():
    target = Path(snakemake.output[0])
    archive = archive_to_unpack(snakemake.input, target)
    with tempfile.TemporaryDirectory() as tmp:
        root = unpack(archive, Path(tmp), [target.name])
        install_checkpoint_file(root, target, archive)
    print(f"{target} unpacked from {archive}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
