"""Snakemake script: parameter accounting of bloom-560m (from its configuration, on the meta
device: works offline) and of this mode's base model, counted and by formula."""
from ftlib.accounting.bloom import account
from ftlib.models.shapes import arch_from_hf_config
from ftlib.core.errors import run_step
from ftlib.core.textio import write_json


def main():
    lora = snakemake.params.lora
    rows = {"bloom-560m": account(snakemake.params.reference_shape, lora)}
    if snakemake.input.get("base"):
        from transformers import AutoConfig

        rows["demo"] = account(arch_from_hf_config(AutoConfig.from_pretrained(snakemake.input.base)), lora)
    for name, row in rows.items():
        for kind, line in row["lines"].items():
            print(f"{name} {kind}: {line}", flush=True)
    write_json(snakemake.output[0], rows)


run_step(main, snakemake.output, snakemake.log[0])
