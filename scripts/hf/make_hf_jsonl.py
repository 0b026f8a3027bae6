"""Snakemake script: one labelled split as jsonl ({"sentence1": review, "label": label}; a pair
task's second text as "sentence2", run_glue's layout)."""
from ftlib.core.errors import run_step
from ftlib.hf.data import write_split_jsonl


def main():
    n = write_split_jsonl(snakemake.input.review, snakemake.input.label, snakemake.params.labels,
                          snakemake.output[0], (snakemake.input.review2 or [None])[0])
    print(f"{snakemake.wildcards.split}: {n} examples -> {snakemake.output[0]}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
