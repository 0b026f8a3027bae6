"""Snakemake script: check that the pretrained checkpoint loads, fits dict.txt and has the
shape of the configured architecture (finetune.<mode>.arch and max_positions)."""
from ftlib.data.checks import check_fairseq_checkpoint
from ftlib.core.errors import run_step
from ftlib.core.textio import write_json


def main():
    hp = snakemake.params.hp
    summary = check_fairseq_checkpoint(snakemake.input.checkpoint, snakemake.input.dictionary, hp["arch"],
                                       hp["max_positions"], where=f"finetune.{snakemake.wildcards.mode}")
    print(f"checkpoint {snakemake.input.checkpoint}: {summary}", flush=True)
    write_json(snakemake.output[0], summary)


run_step(main, snakemake.output, snakemake.log[0])
