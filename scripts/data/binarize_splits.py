"""Snakemake script: fairseq-preprocess the splits into input0/ (reviews), input1/ (a pair task's
second texts) and label/.

The label dictionary is written from the config's label list rather than counted from
the training labels, so that label indices do not depend on label frequencies.
"""
import tempfile
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.fairseq.commands import preprocess_command
from ftlib.core.proc import find_executable, run_logged
from ftlib.core.textio import write_lines


def preprocess(prefixes: dict, destdir: Path, dictionary) -> None:
    cmd = preprocess_command(prefixes, destdir, snakemake.threads, dictionary,
                             executable=find_executable("fairseq-preprocess"))
    run_logged(cmd, snakemake.log[0], threads=snakemake.threads, echo=False)


def main():
    out = Path(snakemake.output[0])
    splits = snakemake.params.splits
    preprocess(dict(zip(splits, snakemake.input.reviews)), out / "input0", snakemake.input.dictionary)
    if snakemake.input.reviews2:  # a pair task: fairseq's GLUE layout puts the second texts in input1/
        preprocess(dict(zip(splits, snakemake.input.reviews2)), out / "input1", snakemake.input.dictionary)
    with tempfile.TemporaryDirectory() as tmp:
        label_dict = Path(tmp) / "labels.txt"
        write_lines(label_dict, [f"{label} 1" for label in snakemake.params.labels])
        preprocess(dict(zip(splits, snakemake.input.labels)), out / "label", label_dict)


run_step(main, snakemake.output, snakemake.log[0])
