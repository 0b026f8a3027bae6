"""Snakemake script: check that the pretrained checkpoint loads and fits dict.txt."""
from ftlib.checks import check_fairseq_checkpoint
from ftlib.errors import run_step
from ftlib.textio import write_json


def main():
    summary = check_fairseq_checkpoint(snakemake.input.checkpoint, snakemake.input.dictionary)
    print(f"checkpoint {snakemake.input.checkpoint}: {summary}", flush=True)
    write_json(snakemake.output[0], summary)


run_step(main, snakemake.output, snakemake.log[0])
