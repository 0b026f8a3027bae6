"""Model shapes as plain dicts (config peft.architectures, or read from a checkpoint's
config.json) and the base models' parameter counts by closed form. No torch at import.

A shape has ``family`` (roberta, bert, t5, bloom), ``task`` (seq_cls: a sequence classifier with
``num_labels`` outputs; seq2seq_lm; causal_lm; default: seq_cls for encoders, the LM otherwise)
and the sizes its formula needs.

Below both the PEFT method kinds (their formulas) and the accounting (its counts): it imports
neither.
"""
from __future__ import annotations

# model_type -> family
FAMILY_OF = {"roberta": "roberta", "camembert": "roberta", "xlm-roberta": "roberta", "bert": "bert",
             "t5": "t5", "bloom": "bloom"}

DEFAULT_TASK = {"roberta": "seq_cls", "bert": "seq_cls", "t5": "seq2seq_lm", "bloom": "causal_lm"}

BASE_FORMULAS = {
    "roberta": "(V+P+T)D + 2D + L(4D² + 2DF + 9D + F) + head (D² + D + DC + C)",
    "bert": "(V+P+T)D + 2D + L(4D² + 2DF + 9D + F) + pooler (D² + D) + head (DC + C)",
    "t5": "VD + L(4DI + 2DF + 2D) + L(8DI + 2DF + 3D) + 2D + 2BH",
    "bloom": "VD + 4D + L(12D² + 13D)",
}


class FamilyError(ValueError):
    pass


def family_of(model_type: str) -> str:
    """The family of a transformers ``model_type`` (CamemBERT and XLM-R are RoBERTa's layout)."""
    if model_type not in FAMILY_OF:
        raise FamilyError(f"model type {model_type!r} has no PEFT family here (known: {', '.join(sorted(FAMILY_OF))})")
    return FAMILY_OF[model_type]


def task_of(a: dict) -> str:
    return a.get("task", DEFAULT_TASK[a["family"]])


def is_classifier(a: dict) -> bool:
    return task_of(a) == "seq_cls"


def head(a: dict) -> int:
    """The classification head: RoBERTa's and T5's dense D->D + out_proj D->C; BERT's one D->C
    layer (its pooler is counted apart); none for a language model."""
    if not is_classifier(a):
        return 0
    D, C = a["hidden_size"], a["num_labels"]
    return (D * D + D if a["family"] in ("roberta", "t5") else 0) + D * C + C


def pooler(a: dict) -> int:
    return a["hidden_size"] ** 2 + a["hidden_size"] if a["family"] == "bert" else 0


def bias_terms(a: dict) -> tuple[int, str, str]:
    """Bias terms outside the head (parameters named ``*.bias``, as BitFit and peft's bias="all"
    select them): their count, its expression, and the expression with the sizes put in.
    RoBERTa/BERT per layer: q,k,v,o, FFN in/out, two norms; the embedding norm (BERT: and the
    pooler). BLOOM per layer: qkv 3D, dense D, MLP 5D, two norms 2D; two more norms. T5 has none
    (its relative_attention_bias is a weight)."""
    D, L = a["hidden_size"], a["num_layers"]
    if a["family"] in ("roberta", "bert"):
        pooled = a["family"] == "bert"
        F = a["intermediate_size"]
        count = L * (7 * D + F) + D + (D if pooled else 0)
        pooler_terms = (" + D (pooler)", f" + {D}") if pooled else ("", "")
        return count, f"L(7D+F) + D{pooler_terms[0]}", f"{L}·(7·{D}+{F}) + {D}{pooler_terms[1]}"
    if a["family"] == "bloom":
        return L * 11 * D + 2 * D, "11LD + 2D", f"11·{L}·{D} + 2·{D}"
    if a["family"] == "t5":
        return 0, "0", "0"  # T5 has no bias terms
    raise ValueError(f"unknown architecture family {a['family']!r}")


def base_total(a: dict) -> int:
    """Parameters of the unmodified model."""
    D, L, V = a["hidden_size"], a["num_layers"], a["vocab_size"]
    if a["family"] in ("roberta", "bert"):
        F, P, T = a["intermediate_size"], a["max_position_embeddings"], a["type_vocab_size"]
        # per layer: q,k,v,o 4(D²+D), FFN 2DF+F+D, two layer norms 4D; embeddings (V+P+T)D + norm 2D
        return (V + P + T) * D + 2 * D + L * (4 * D * D + 2 * D * F + 9 * D + F) + head(a) + pooler(a)
    if a["family"] == "t5":
        F, I = a["intermediate_size"], a["num_heads"] * a["head_dim"]
        B, H = a["relative_attention_num_buckets"], a["num_heads"]
        # tied embedding VD; encoder block: attention 4DI, FFN 2DF, 2 norms (RMS, weight only);
        # decoder block: 2 attentions, FFN, 3 norms; 2 final norms; relative bias B·H per stack
        return (V * D + L * (4 * D * I + 2 * D * F + 2 * D) + L * (8 * D * I + 2 * D * F + 3 * D)
                + 2 * D + 2 * B * H + head(a))
    if a["family"] == "bloom":
        # tied embedding VD, embedding and final norms 4D; per layer: fused qkv 3D²+3D, dense
        # D²+D, MLP 8D²+5D, two norms 4D = 12D²+13D
        return V * D + 4 * D + L * (12 * D * D + 13 * D)
    raise ValueError(f"unknown architecture family {a['family']!r}")


def base_formula_text(a: dict) -> str:
    text = BASE_FORMULAS[a["family"]]
    return text + (" + head (D² + D + DC + C)" if a["family"] == "t5" and is_classifier(a) else "")


def head_text(a: dict) -> str:
    """`` + head N`` for a classifier (its head trains with every method), else nothing."""
    return f" + head {head(a):,}" if is_classifier(a) else ""


def hf_config(a: dict):
    """A transformers configuration with the shapes of ``a``."""
    from transformers import BertConfig, BloomConfig, RobertaConfig, T5Config

    family = a["family"]
    if family in ("roberta", "bert"):
        cls = RobertaConfig if family == "roberta" else BertConfig
        return cls(vocab_size=a["vocab_size"], hidden_size=a["hidden_size"],
                   num_hidden_layers=a["num_layers"], num_attention_heads=a["num_heads"],
                   intermediate_size=a["intermediate_size"],
                   max_position_embeddings=a["max_position_embeddings"],
                   type_vocab_size=a["type_vocab_size"], num_labels=a["num_labels"])
    if family == "t5":
        return T5Config(vocab_size=a["vocab_size"], d_model=a["hidden_size"], num_layers=a["num_layers"],
                        num_heads=a["num_heads"], d_ff=a["intermediate_size"], d_kv=a["head_dim"],
                        relative_attention_num_buckets=a["relative_attention_num_buckets"],
                        num_labels=a.get("num_labels", 2))
    if family == "bloom":
        return BloomConfig(vocab_size=a["vocab_size"], hidden_size=a["hidden_size"],
                           n_layer=a["num_layers"], n_head=a["num_heads"], tie_word_embeddings=True)
    raise ValueError(f"unknown architecture family {family!r}")


def arch_from_hf_config(config, num_labels: int | None = None) -> dict:
    """The shape of a sequence classifier built from a checkpoint's config.json (any family)."""
    family = family_of(config.model_type)
    labels = num_labels if num_labels is not None else config.num_labels
    if family == "t5":
        return {"family": "t5", "task": "seq_cls", "vocab_size": config.vocab_size, "hidden_size": config.d_model,
                "num_layers": config.num_layers, "num_heads": config.num_heads, "intermediate_size": config.d_ff,
                "head_dim": config.d_kv, "relative_attention_num_buckets": config.relative_attention_num_buckets,
                "num_labels": labels}
    if family == "bloom":
        return {"family": "bloom", "vocab_size": config.vocab_size, "hidden_size": config.hidden_size,
                "num_layers": config.n_layer, "num_heads": config.n_head}
    return {"family": family, "task": "seq_cls", "vocab_size": config.vocab_size, "hidden_size": config.hidden_size,
            "num_layers": config.num_hidden_layers, "num_heads": config.num_attention_heads,
            "intermediate_size": config.intermediate_size,
            "max_position_embeddings": config.max_position_embeddings,
            "type_vocab_size": config.type_vocab_size, "num_labels": labels}
