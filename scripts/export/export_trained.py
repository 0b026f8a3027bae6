"""Snakemake script: the best-valid seed of one HF init or one PEFT method as an export folder with
its model card: the run's model rebuilt with its kept best-valid weights (best_valid.pt), saved in
the format its method allows (ftlib.export.trained.FORMATS), proved equal to the run on its test
split, then moved into place."""
import shutil
from pathlib import Path

from ftlib.core.errors import InputError, run_step
from ftlib.core.runs_table import hp, read_runs
from ftlib.export.card import run_info
from ftlib.export.publish import publish
from ftlib.export.select import best_run
from ftlib.export.trained import FORMATS, rebuild, save_export

USE = {  # the card's code for the formats transformers alone does not load
    "peft_adapter": ["from peft import PeftModel",
                     "from transformers import AutoModelForSequenceClassification, AutoTokenizer",
                     "base = AutoModelForSequenceClassification.from_pretrained(base_model, num_labels=len(labels),",
                     "    id2label=dict(enumerate(labels)))  # base_model, labels: export.json",
                     "model = PeftModel.from_pretrained(base, folder)",
                     "tokenizer = AutoTokenizer.from_pretrained(folder)"],
    "trainable": ["# the method is this workflow's own (scripts/ftlib/peft/methods/): load through it",
                  "from ftlib.export.predict import load_exported",
                  "model, tokenizer, max_positions = load_exported(folder)"],
}


def card_info(p, chosen, rows, parity: dict, fmt: str, best: dict) -> dict:
    method = snakemake.wildcards.get("method")
    what = (f"{p.method_description} (the PEFT branch, transformers' Trainer)" if method else
            f"RoBERTa ({'the converted pretrained checkpoint' if chosen.init == 'pretrained' else 'from a random initialisation'}) "
            "fine-tuned with transformers' Trainer on fairseq's recipe")
    return {
        **run_info(p, chosen, rows, parity), "model_name": f"{p.task['name']}-{Path(snakemake.output[0]).name}",
        "export_name": Path(snakemake.output[0]).name,
        "what": what, "tags": ["peft", method] if method else ["roberta"], "hub_base": p.hub_name,
        "library_name": "peft" if fmt == "peft_adapter" else "transformers", "use": USE.get(fmt),
        "origin": f"The weights of the run's best-valid epoch ({best['epoch']}, `{chosen.run_dir}/best_valid.pt`) "
                  f"in the run's model, exported as {FORMATS[fmt]}.",
    }


def main():
    p, out = snakemake.params, Path(snakemake.output[0])
    rows = read_runs(snakemake.input.runs)
    for column, value in dict(p.select).items():
        rows = rows[rows[column] == value]
    if rows.empty:
        raise InputError(snakemake.input.runs, f"no runs of {dict(p.select)} in the runs table")
    chosen = best_run(rows)
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    spec = dict(p.spec) if p.spec else None
    model, fmt, best = rebuild(snakemake.input.base, spec, list(p.labels), f"{chosen.run_dir}/best_valid.pt")
    from transformers import AutoTokenizer

    save_export(model, fmt, AutoTokenizer.from_pretrained(snakemake.input.base), staging)
    load_keys = {"format": fmt, "base_model": snakemake.input.base, "spec": spec, "labels": list(p.labels),
                 "max_positions": int(hp(chosen, "max_positions"))}
    publish(staging, out, load_keys, chosen, p, snakemake.input.test,
            lambda parity: card_info(p, chosen, rows, parity, fmt, best))


run_step(main, [snakemake.output[0], snakemake.output[0] + ".tmp"], snakemake.log[0])
