"""Snakemake script: the demo's sentence-pair task from the demo's splits (ftlib/data/demo_pairs.py),
written in the raw layout of a pair task: <split>.review, <split>.review2, <split>.label."""
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.textio import write_lines
from ftlib.data.checks import read_lines
from ftlib.data.demo_pairs import make_pairs

SPLITS = ("train", "valid", "test")


def main():
    outputs = {Path(p).name: p for p in snakemake.output}
    for number, split in enumerate(SPLITS):
        reviews = read_lines(snakemake.input[f"{split}_review"])
        labels = read_lines(snakemake.input[f"{split}_label"])
        pairs, same = make_pairs(reviews, labels, seed=snakemake.params.seed + number)
        write_lines(outputs[f"{split}.review"], [a for a, _ in pairs])
        write_lines(outputs[f"{split}.review2"], [b for _, b in pairs])
        write_lines(outputs[f"{split}.label"], same)
        print(f"{split}: {len(pairs)} pairs, {same.count('1')} of one polarity", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
