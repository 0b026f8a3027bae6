"""Snakemake script: take one file of the real labelled splits out of the downloaded archive."""
import tempfile
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_to_unpack, install_split_file, unpack


def main():
    target = Path(snakemake.output[0])
    archive = archive_to_unpack(snakemake.input, target)
    with tempfile.TemporaryDirectory() as tmp:
        root = unpack(archive, Path(tmp), [f"{s}.{e}" for s in ("train", "valid", "test")
                                           for e in ("review", "label")])
        install_split_file(root, target, archive, snakemake.params.valid_size)
    print(f"{target} unpacked from {archive}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
