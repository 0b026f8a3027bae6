"""Snakemake script: parameter accounting of bloom-560m (from its configuration, on the meta
device: works offline) and of this mode's base model, counted and by formula."""
import json
from pathlib import Path

from ftlib.accounting.bloom import account
from ftlib.core.errors import run_step
from ftlib.core.textio import write_json


def main():
    lora = snakemake.params.lora
    rows = {"bloom-560m": account(snakemake.params.reference_shape, lora)}
    if snakemake.input.get("base"):
        cfg = json.loads((Path(snakemake.input.base) / "config.json").read_text())
        shape = {"vocab_size": cfg["vocab_size"], "hidden_size": cfg["hidden_size"],
                 "num_layers": cfg["n_layer"], "num_heads": cfg["n_head"]}
        rows["demo"] = account(shape, lora)
    for name, row in rows.items():
        for kind, line in row["lines"].items():
            print(f"{name} {kind}: {line}", flush=True)
    write_json(snakemake.output[0], rows)


run_step(main, snakemake.output, snakemake.log[0])
