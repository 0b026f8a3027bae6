"""Snakemake script: check that the pretrained checkpoint loads and fits dict.txt."""
from ftlib.data.checks import check_fairseq_checkpoint
from ftlib.core.errors import run_step
from ftlib.core.textio import write_json


def main():
    summary = check_fairseq_checkpoint(snakemake.input.checkpoint, snakemake.input.dictionary)
    print(f"checkpoint {snakemake.input.checkpoint}: {summary}", flush=True)
    write_json(snakemake.output[0], summary)


run_step(main, snakemake.output, snakemake.log[0])
