"""Snakemake script: exact trainable/total parameter counts of every PEFT method, counted on
models built on the meta device and by closed formula (they must agree), for the published
models (checked against their published counts), the project's roberta_small, and the model
this run fine-tunes (peft.model; shape read from its folder's config.json); with a study
(peft.study, config/presets/) its published counts beside this run's model's."""
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
    # the task's classifier: one output per label
    run_arch = peft_accounting.arch_from_hf_config(AutoConfig.from_pretrained(snakemake.input.model),
                                                   snakemake.params.num_labels)
    # the course's roberta_small beside a RoBERTa-family run's model (other families' methods,
    # e.g. LoRA on T5's q and v, do not apply to it)
    models = {"roberta_small": archs["roberta_small"]} if run_arch["family"] == "roberta" else {}
    models["this run's model"] = run_arch
    tables = {}
    for label, arch in models.items():  # roberta_small: every method of the config; the run's model: its own
        specs = snakemake.params.all_methods if label == "roberta_small" else methods
        tables[label] = [peft_accounting.account(label, arch, spec, name) for name, spec in specs.items()]
        for row in tables[label]:
            print(f"{label:18} {row['method']:12} trainable {row['counted_trainable']:>11,} "
                  f"of {row['counted_total']:,}  ({row['formula']})", flush=True)
    heads = {label: peft_accounting.head(arch) for label, arch in models.items()}
    study = study_counts(snakemake.params.study.get("counts", []), tables["this run's model"])
    write_json(snakemake.output[0], {"published": published, "models": models, "heads": heads,
                                     "methods": tables, "model": snakemake.params.model, "study_counts": study})


def study_counts(published: list[dict], rows: list[dict]) -> list[dict]:
    """The study's counts beside the same count of the model this run builds (the run's model
    is a classifier: its head is in `trainable` and `total`, which the study's may not hold)."""
    by_method = {row["method"]: row for row in rows}  # every method: checked at start-up
    out = []
    for entry in published:
        counted = by_method[entry["method"]][f"counted_{entry['what']}"]
        out.append({**entry, "counted": counted, "difference": counted - entry["value"]})
        print(f"study count {entry['method']:12} {entry['what']:9} published {entry['value']:>12,}  "
              f"this run's model {counted:>12,}", flush=True)
    return out


run_step(main, snakemake.output, snakemake.log[0])
