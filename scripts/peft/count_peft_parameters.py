"""Snakemake script: exact trainable/total parameter counts of every PEFT method, counted on
models built on the meta device and by closed formula (they must agree), for the published
models (checked against their published counts), the project's roberta_small, and the model
this mode fine-tunes (shape read from models/<task>/hf_pretrained/config.json)."""
from pathlib import Path

from ftlib.accounting import peft as peft_accounting
from ftlib.core.errors import InputError, run_step
from ftlib.peft.reference import PEFT_T5_PROMPT, PUBLISHED_COUNTS
from ftlib.core.textio import write_json


def main():
    from transformers import AutoConfig

    archs, methods = snakemake.params.architectures, snakemake.params.methods
    published = []
    for arch, spec, count, what in PUBLISHED_COUNTS + [PEFT_T5_PROMPT]:
        row = peft_accounting.account(arch, archs[arch], spec)
        row.update(published=count, compared=what, published_source=(arch, spec) != PEFT_T5_PROMPT[:2])
        if row[f"counted_{what}"] != count:
            raise RuntimeError(f"{arch} {row['method']}: counted {row[f'counted_{what}']:,} {what}, "
                               f"published {count:,}")
        published.append(row)
        print(f"{arch:18} {row['method']:32} {what:9} {row[f'counted_{what}']:>12,} = {count:,}", flush=True)

    config_json = Path(snakemake.input.model) / "config.json"
    if not config_json.is_file():
        raise InputError(config_json, "missing: the HuggingFace checkpoint has no config.json")
    mode_arch = peft_accounting.arch_from_hf_config(AutoConfig.from_pretrained(snakemake.input.model))
    mode_arch["num_labels"] = snakemake.params.num_labels  # the task's classifier: one output per label
    models = {"roberta_small": archs["roberta_small"], "this mode's model": mode_arch}
    tables = {}
    for label, arch in models.items():
        tables[label] = [peft_accounting.account(label, arch, spec, name) for name, spec in methods.items()]
        for row in tables[label]:
            print(f"{label:18} {row['method']:12} trainable {row['counted_trainable']:>11,} "
                  f"of {row['counted_total']:,}  ({row['formula']})", flush=True)
    heads = {label: peft_accounting.head(arch) for label, arch in models.items()}
    write_json(snakemake.output[0], {"published": published, "models": models, "heads": heads,
                                     "methods": tables})


run_step(main, snakemake.output, snakemake.log[0])
