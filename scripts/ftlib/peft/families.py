"""What the PEFT methods need to know of each model family: the classification head's module
name, where bottleneck adapters go, which modules (IA)^3 scales, the LoRA targets' shapes.

A transformers ``model_type`` maps to a family by ftlib.models.shapes.family_of.
No torch at import.
"""
from __future__ import annotations

from ftlib.models.shapes import FamilyError, family_of
from ftlib.peft.method_kind import Target

# The classification head's module, new for the task: every method trains it (peft's modules_to_save).
HEADS = {"roberta": ["classifier"], "bert": ["classifier"], "t5": ["classification_head"], "bloom": []}

# Full-name regexes of the sublayers that bottleneck adapters follow: RoBERTa/BERT after the
# attention and feed-forward output projections (Houlsby et al.); T5 after each block's
# feed-forward sublayer (the t5-small reference counts 12 of them).
ENCODER_ADAPTERS = r".*encoder\.layer\.\d+\.(attention\.output|output)\.dense"
ADAPTERS = {"roberta": ENCODER_ADAPTERS, "bert": ENCODER_ADAPTERS,
            "t5": r".*(encoder|decoder)\.block\.\d+\.layer\.\d+\.DenseReluDense"}

# (IA)^3 as in Liu et al. 2022: scale keys and values (outputs of key/value) and the feed-forward
# activation (input of the second feed-forward projection: for RoBERTa/BERT layer.N.output.dense,
# not the attention output projection that peft's default "output.dense" also matches).
IA3 = {"roberta": (r".*encoder\.layer\.\d+\.(attention\.self\.(key|value)|output\.dense)",
                   r".*encoder\.layer\.\d+\.output\.dense"),
       "t5": (r".*(SelfAttention|EncDecAttention)\.(k|v)|.*DenseReluDense\.wo", r".*DenseReluDense\.wo")}
IA3["bert"] = IA3["roberta"]


def target_of(model) -> Target:
    """The Target of a transformers model (unwrapped)."""
    name = type(model).__name__
    task = ("seq_cls" if name.endswith("ForSequenceClassification") else
            "seq2seq_lm" if name.endswith("ForConditionalGeneration") else "causal_lm")
    config = model.config
    hidden = getattr(config, "hidden_size", None) or config.d_model
    return Target(family_of(config.model_type), task, hidden)


def lora_shapes(arch: dict, module: str) -> tuple[int, int, int]:
    """(modules, in_features, out_features) of one LoRA target of the shape ``arch``."""
    family, D, L = arch["family"], arch["hidden_size"], arch["num_layers"]
    if family in ("roberta", "bert") and module in ("query", "key", "value"):
        return L, D, D
    if family == "t5" and module in ("q", "k", "v"):
        inner = arch["num_heads"] * arch["head_dim"]
        return 3 * L, D, inner  # encoder self-attention, decoder self- and cross-attention
    bloom = {"query_key_value": (D, 3 * D), "dense": (D, D), "dense_h_to_4h": (D, 4 * D), "dense_4h_to_h": (4 * D, D)}
    if family == "bloom" and module in bloom:
        return L, *bloom[module]
    raise FamilyError(f"no LoRA formula for {module} in {family}")
