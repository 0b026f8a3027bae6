"""Exact trainable/total parameter counts of PEFT methods, counted and by closed formula.

Models are built on the meta device from the shapes in config.yaml (peft.architectures): no
weights, no network, seconds. Built under ``with torch.device("meta")`` so that tied weights are
tied (``accelerate.init_empty_weights()`` leaves them untied and double-counts the embeddings).
"""
from __future__ import annotations

from ftlib.peft import methods as peft_methods  # first: it hides the broken torchaudio from transformers
from ftlib.peft.adapters import add_adapters, adapter_params
from ftlib.accounting.meta import on_meta_device, parameter_counts

import torch  # noqa: E402

# Where the bottleneck adapters go, per family (full-name regex): RoBERTa/BERT after the
# attention and feed-forward blocks; T5 after each block's feed-forward sublayer (12 blocks of
# t5-small, as the reference counts them).
ADAPTER_PATTERNS = {
    "roberta": peft_methods.ROBERTA_ADAPTER_PATTERN,
    "bert": peft_methods.ROBERTA_ADAPTER_PATTERN,
    "t5": r"(encoder|decoder)\.block\.\d+\.layer\.\d+\.DenseReluDense",
}


def hf_config(arch: dict):
    """A transformers configuration with the shapes of ``arch`` (a config.yaml entry)."""
    from transformers import BertConfig, BloomConfig, RobertaConfig, T5Config

    family = arch["family"]
    if family in ("roberta", "bert"):
        cls = RobertaConfig if family == "roberta" else BertConfig
        return cls(vocab_size=arch["vocab_size"], hidden_size=arch["hidden_size"],
                   num_hidden_layers=arch["num_layers"], num_attention_heads=arch["num_heads"],
                   intermediate_size=arch["intermediate_size"],
                   max_position_embeddings=arch["max_position_embeddings"],
                   type_vocab_size=arch["type_vocab_size"], num_labels=arch["num_labels"])
    if family == "t5":
        return T5Config(vocab_size=arch["vocab_size"], d_model=arch["hidden_size"],
                        num_layers=arch["num_layers"], num_heads=arch["num_heads"],
                        d_ff=arch["intermediate_size"], d_kv=arch["head_dim"],
                        relative_attention_num_buckets=arch["relative_attention_num_buckets"])
    if family == "bloom":
        return BloomConfig(vocab_size=arch["vocab_size"], hidden_size=arch["hidden_size"],
                           n_layer=arch["num_layers"], n_head=arch["num_heads"])
    raise ValueError(f"unknown architecture family {family!r}")


def arch_from_hf_config(config) -> dict:
    """The config.yaml-style shape of a RoBERTa checkpoint's config.json (the mode's model)."""
    return {"family": "roberta", "vocab_size": config.vocab_size, "hidden_size": config.hidden_size,
            "num_layers": config.num_hidden_layers, "num_heads": config.num_attention_heads,
            "intermediate_size": config.intermediate_size,
            "max_position_embeddings": config.max_position_embeddings,
            "type_vocab_size": config.type_vocab_size, "num_labels": config.num_labels}


def build_on_meta(arch: dict):
    from transformers import (BertForSequenceClassification, BloomForCausalLM,
                              RobertaForSequenceClassification, T5ForConditionalGeneration)

    classes = {"roberta": RobertaForSequenceClassification, "bert": BertForSequenceClassification,
               "t5": T5ForConditionalGeneration, "bloom": BloomForCausalLM}
    return on_meta_device(classes[arch["family"]], hf_config(arch))


def apply_any(model, arch: dict, spec: dict):
    """peft_methods.apply_method for classifiers; the generic peft task for T5 and BLOOM."""
    family, kind = arch["family"], spec["kind"]
    if kind == "none":
        return model
    if family in ("roberta", "bert"):
        spec = dict(spec)
        if kind == "adapter":
            spec.setdefault("pattern", ADAPTER_PATTERNS[family])
        with torch.device("meta"):
            return peft_methods.apply_method(model, spec)
    from peft import LoraConfig, PromptTuningConfig, TaskType, get_peft_model

    task = TaskType.SEQ_2_SEQ_LM if family == "t5" else TaskType.CAUSAL_LM
    if kind == "adapter":
        add_adapters(model, ADAPTER_PATTERNS[family], arch["hidden_size"], spec["size"])
        for name, param in model.named_parameters():
            param.requires_grad_(".adapter." in name)
        return model
    if kind == "lora":
        config = LoraConfig(task_type=task, r=spec["r"], lora_alpha=spec["alpha"],
                            target_modules=list(spec["target_modules"]))
    elif kind == "prompt":
        # peft prompts every transformer stack of a seq2seq model (encoder and decoder: 2);
        # encoder_only keeps one prompt, the reference's 10 x 512.
        submodules = 1 if spec.get("encoder_only") else (2 if family == "t5" else 1)
        config = PromptTuningConfig(task_type=task, num_virtual_tokens=spec["num_virtual_tokens"],
                                    num_transformer_submodules=submodules)
    else:
        raise ValueError(f"method kind {kind!r} is not counted for {family}")
    return get_peft_model(model, config)


def count(arch: dict, spec: dict) -> dict:
    """Counted on the meta device: trainable, total, and what the method adds to the base."""
    base = parameter_counts(build_on_meta(arch))["total"]
    counts = parameter_counts(apply_any(build_on_meta(arch), arch, spec))
    counts["added"] = counts["total"] - base
    if spec["kind"] == "none":
        counts["trainable"] = counts["total"]
    return counts


# ---- closed formulas -------------------------------------------------------------------------

def base_total(a: dict) -> int:
    """Parameters of the unmodified model."""
    D, L, V = a["hidden_size"], a["num_layers"], a["vocab_size"]
    if a["family"] in ("roberta", "bert"):
        F, P, T = a["intermediate_size"], a["max_position_embeddings"], a["type_vocab_size"]
        # per layer: q,k,v,o 4(D²+D), FFN 2DF+F+D, two layer norms 4D; embeddings (V+P+T)D + norm 2D
        return (V + P + T) * D + 2 * D + L * (4 * D * D + 2 * D * F + 9 * D + F) + head(a) + pooler(a)
    if a["family"] == "t5":
        F, I, B, H = a["intermediate_size"], a["num_heads"] * a["head_dim"], a["relative_attention_num_buckets"], a["num_heads"]
        # tied embedding VD; encoder block: attention 4DI, FFN 2DF, 2 norms (RMS, weight only);
        # decoder block: 2 attentions, FFN, 3 norms; 2 final norms; relative bias B·H per stack
        return V * D + L * (4 * D * I + 2 * D * F + 2 * D) + L * (8 * D * I + 2 * D * F + 3 * D) + 2 * D + 2 * B * H
    if a["family"] == "bloom":
        # tied embedding VD, embedding and final norms 4D; per layer: fused qkv 3D²+3D, dense
        # D²+D, MLP 8D²+5D, two norms 4D = 12D²+13D
        return V * D + 4 * D + L * (12 * D * D + 13 * D)
    raise ValueError(a["family"])


BASE_FORMULAS = {
    "roberta": "(V+P+T)D + 2D + L(4D² + 2DF + 9D + F) + head (D² + D + DC + C)",
    "bert": "(V+P+T)D + 2D + L(4D² + 2DF + 9D + F) + pooler (D² + D) + head (DC + C)",
    "t5": "VD + L(4DI + 2DF + 2D) + L(8DI + 2DF + 3D) + 2D + 2BH",
    "bloom": "VD + 4D + L(12D² + 13D)",
}


def head(a: dict) -> int:
    """Classification head: RoBERTa's dense D->D + out_proj D->C; BERT's single D->C layer."""
    D, C = a["hidden_size"], a["num_labels"]
    return (D * D + D if a["family"] == "roberta" else 0) + D * C + C


def pooler(a: dict) -> int:
    return a["hidden_size"] ** 2 + a["hidden_size"] if a["family"] == "bert" else 0


def lora_shapes(a: dict, target: str) -> tuple[int, int, int]:
    """(modules, in_features, out_features) of a LoRA target."""
    D, L = a["hidden_size"], a["num_layers"]
    if a["family"] in ("roberta", "bert") and target in ("query", "key", "value"):
        return L, D, D
    if a["family"] == "t5" and target in ("q", "k", "v"):
        I = a["num_heads"] * a["head_dim"]
        return 3 * L, D, I  # encoder self-attention, decoder self- and cross-attention
    if a["family"] == "bloom" and target == "query_key_value":
        return L, D, 3 * D
    raise ValueError(f"no LoRA formula for {target} in {a['family']}")


def formula(a: dict, spec: dict) -> dict:
    """{added, trainable, total} by closed form, with the expression as text."""
    kind, D, L = spec["kind"], a["hidden_size"], a["num_layers"]
    classifier = a["family"] in ("roberta", "bert")
    h = head(a) if classifier else 0
    if kind in ("none", "full"):
        added, trainable, text = 0, base_total(a), BASE_FORMULAS[a["family"]]
    elif kind == "bitfit":
        F = a["intermediate_size"]
        added, text = 0, f"L(7D+F) + D + head = {L}·(7·{D}+{F}) + {D} + {h:,}"
        # per layer: q,k,v,o, FFN in/out and two norm biases; the embedding norm's bias; the head
        # (RoBERTa's head is trained whole; BERT's pooler bias is a bias too)
        trainable = L * (7 * D + F) + D + h + (D if a["family"] == "bert" else 0)
    elif kind == "lora":
        r, parts, added = spec["r"], [], 0
        for target in spec["target_modules"]:
            n, fan_in, fan_out = lora_shapes(a, target)
            added += n * spec["r"] * (fan_in + fan_out)
            parts.append(f"{n}·{r}·({fan_in}+{fan_out})")
        trainable = added + h
        text = " + ".join(parts) + (f" + head {h:,}" if classifier else "")
    elif kind == "adapter":
        m = spec["size"]
        n = 2 * L  # RoBERTa: attention and feed-forward of L layers; t5: one per block, L + L blocks
        added = n * adapter_params(D, m)
        trainable = added + h
        text = f"{n}·(2·{D}·{m} + {D} + {m})" + (f" + head {h:,}" if classifier else "")
    elif kind == "prompt":
        stacks = 1 if spec.get("encoder_only") or a["family"] != "t5" else 2
        n = spec["num_virtual_tokens"]
        added = stacks * n * D
        trainable = added + h
        text = (f"{stacks}·" if stacks > 1 else "") + f"{n}·{D}" + (f" + head {h:,}" if classifier else "")
    elif kind == "ia3":
        F = a["intermediate_size"]
        added = L * (2 * D + F)
        trainable = added + h
        text = f"{L}·(2·{D}+{F}) + head {h:,}"
    else:
        raise ValueError(kind)
    return {"added": added, "trainable": trainable, "total": base_total(a) + added, "text": text}


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
    kind = spec["kind"]
    if kind == "lora":
        return f"LoRA r={spec['r']} on {'+'.join(spec['target_modules'])}"
    if kind == "prompt":
        return f"prompt {spec['num_virtual_tokens']} tokens" + (" (encoder only)" if spec.get("encoder_only") else " (peft)")
    if kind == "adapter":
        return f"bottleneck adapter {spec['size']}"
    return {"none": "base model", "full": "full fine-tuning", "bitfit": "BitFit", "ia3": "(IA)³"}[kind]
