"""Exact trainable/total parameter counts of PEFT methods, counted and by closed formula.

Models are built on the meta device from shapes (ftlib.models.shapes): no weights, no
network, seconds. Built under ``with torch.device("meta")`` so that tied weights are tied
(``accelerate.init_empty_weights()`` leaves them untied and double-counts the embeddings).
Each method kind is applied and counted by its registry module (ftlib.peft.methods).
"""
from __future__ import annotations

from ftlib.core import transformers_guard  # noqa: F401  (first: hides the unloadable torchaudio from transformers)
from ftlib import peft as peft_methods
from ftlib.accounting.meta import on_meta_device, parameter_counts
from ftlib.models.shapes import (BASE_FORMULAS, arch_from_hf_config, base_total, head,  # noqa: F401
                                 hf_config, pooler, task_of)
from ftlib.peft.method_kind import Target

import torch  # noqa: E402


def build_on_meta(arch: dict):
    from transformers import (BertForSequenceClassification, BloomForCausalLM, RobertaForSequenceClassification,
                              T5ForConditionalGeneration, T5ForSequenceClassification)

    classes = {("roberta", "seq_cls"): RobertaForSequenceClassification,
               ("bert", "seq_cls"): BertForSequenceClassification,
               ("t5", "seq2seq_lm"): T5ForConditionalGeneration, ("t5", "seq_cls"): T5ForSequenceClassification,
               ("bloom", "causal_lm"): BloomForCausalLM}
    return on_meta_device(classes[arch["family"], task_of(arch)], hf_config(arch))


def target_of_arch(arch: dict) -> Target:
    return Target(arch["family"], task_of(arch), arch["hidden_size"])


def apply_any(model, arch: dict, spec: dict):
    """The method of ``spec`` applied to a meta-device model of shape ``arch`` (its registry module)."""
    with torch.device("meta"):
        return peft_methods.get(spec["kind"]).apply(model, spec, target_of_arch(arch))


def count(arch: dict, spec: dict) -> dict:
    """Counted on the meta device: trainable, total, and what the method adds to the base."""
    base = parameter_counts(build_on_meta(arch))["total"]
    counts = parameter_counts(apply_any(build_on_meta(arch), arch, spec))
    counts["added"] = counts["total"] - base
    if spec["kind"] == "none":
        counts["trainable"] = counts["total"]
    return counts


def formula(arch: dict, spec: dict) -> dict:
    """{added, trainable, total} by closed form (the kind's registry module), with the expression as text."""
    closed = dict(peft_methods.get(spec["kind"]).formula(arch, spec))
    closed["total"] = base_total(arch) + closed["added"]
    return closed


def account(arch_name: str, arch: dict, spec: dict, method: str | None = None) -> dict:
    """One row of the accounting table: counted == formula, or an error naming both."""
    counted, closed = count(arch, spec), formula(arch, spec)
    row = {"arch": arch_name, "method": method or describe(spec), "kind": spec["kind"],
           **{f"counted_{k}": v for k, v in counted.items()},
           **{f"formula_{k}": closed[k] for k in ("added", "trainable", "total")},
           "formula": closed["text"]}
    bad = [k for k in ("added", "trainable", "total") if row[f"counted_{k}"] != row[f"formula_{k}"]]
    if bad:
        raise RuntimeError(f"{arch_name} {row['method']}: counted and formula disagree on {bad}: {row}")
    return row


def describe(spec: dict) -> str:
    return peft_methods.describe(spec)
