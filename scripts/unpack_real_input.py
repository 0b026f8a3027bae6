"""Snakemake script: take one file of the real inputs out of its downloaded archive."""
import tempfile
from pathlib import Path

from ftlib.download import install_checkpoint_file, install_split_file, unpack
from ftlib.errors import InputError, run_step


def main():
    target = Path(snakemake.output[0])
    if not snakemake.input:
        raise InputError(target, "no archive to unpack it from; put the file there by hand")
    archive = Path(snakemake.input[0])
    with tempfile.TemporaryDirectory() as tmp:
        if "split" in snakemake.wildcards.keys():
            root = unpack(archive, Path(tmp), [f"{s}.{e}" for s in ("train", "valid", "test")
                                               for e in ("review", "label")])
            install_split_file(root, target, archive, snakemake.params.valid_size)
        else:
            root = unpack(archive, Path(tmp), [target.name])
            install_checkpoint_file(root, target, archive)
    print(f"{target} unpacked from {archive}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
