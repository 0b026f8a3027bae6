"""Snakemake script: check the FAQ (one-line error naming the bad entry) and split it into
training pairs and held-out questions."""
import json

from ftlib.bloom.data import read_faq, split_faq
from ftlib.core.errors import run_step
from ftlib.core.textio import write_lines


def main():
    path = snakemake.input.faq
    pairs = read_faq(path)
    train, heldout = split_faq(pairs, snakemake.params.heldout_size, snakemake.params.seed, path)
    write_lines(snakemake.output.train, [json.dumps(p, ensure_ascii=False) for p in train])
    write_lines(snakemake.output.heldout, [json.dumps(p, ensure_ascii=False) for p in heldout])
    print(f"{path}: {len(pairs)} pairs -> {len(train)} train, {len(heldout)} held out", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
