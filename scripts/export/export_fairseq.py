"""Snakemake script: the best-valid seed of one fairseq init as a transformers folder with its model
card: converted from checkpoint_best.pt, proved equal to the run on its test split (labels and
probabilities), then moved into place (nothing half written counts as done)."""
import shutil
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.runs_table import read_runs
from ftlib.export.card import run_info
from ftlib.export.convert_classifier import convert_classifier
from ftlib.export.publish import publish
from ftlib.export.select import best_run


def card_info(p, chosen, rows, parity: dict) -> dict:
    init = snakemake.wildcards.init
    return {
        **run_info(p, chosen, rows, parity), "model_name": f"{p.task['name']}-fairseq-{init}",
        "export_name": f"fairseq-{init}", "tags": ["fairseq", "roberta"],
        "what": f"RoBERTa ({'from the pretrained checkpoint' if init == 'pretrained' else 'from a random initialisation'}) "
                "fine-tuned with fairseq-train (sentence_prediction)",
        "origin": f"Converted from the fairseq checkpoint `{chosen.run_dir}/checkpoint_best.pt` by the workflow's "
                  "converter (the pretrained checkpoint's parity-checked mapping, and the classification head).",
    }


def main():
    p, out = snakemake.params, Path(snakemake.output[0])
    rows = read_runs(snakemake.input.runs)
    rows = rows[rows["init"] == snakemake.wildcards.init]
    chosen = best_run(rows)
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    convert_classifier(f"{chosen.run_dir}/checkpoint_best.pt", snakemake.input.dictionary, snakemake.input.spm,
                       Path(snakemake.input.data_bin) / "label" / "dict.txt", list(p.labels), staging)
    publish(staging, out, {"format": "whole"}, chosen, p, snakemake.input.test,
            lambda parity: card_info(p, chosen, rows, parity))


run_step(main, [snakemake.output[0], snakemake.output[0] + ".tmp"], snakemake.log[0])
