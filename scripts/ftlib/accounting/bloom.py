"""Parameter accounting of BLOOM models: counted on a model built on the meta device (no weights,
no network) and by formula, full, under 4-bit packing, and with LoRA."""
from __future__ import annotations

from ftlib.core import transformers_guard  # noqa: F401  (first: hides the unloadable torchaudio from transformers)

import torch  # noqa: E402

from ftlib.accounting.meta import parameter_counts  # noqa: E402
from ftlib.accounting.peft import build_on_meta  # noqa: E402
from ftlib.models.shapes import base_total  # noqa: E402
from ftlib.peft import apply_method, get  # noqa: E402


def count(model) -> tuple[int, int]:
    """(trainable, all) as the course's print_trainable_parameters counts them: numel of each
    parameter as stored (a packed 4-bit weight counts its uint8 storage: half its weights)."""
    counts = parameter_counts(model)
    return counts["trainable"], counts["total"]


def describe(trainable: int, total: int) -> str:
    return (f"trainable params: {trainable:,} || all params: {total:,} || "
            f"trainable: {100 * trainable / total:.3f} %")


def quantized_linears(model) -> list:
    """The Linear layers that 4-bit loading replaces: all but the output head (kept, and tied)."""
    return [m for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear) and not name.endswith("lm_head")]


def formulas(shape: dict, lora: dict) -> dict:
    """BLOOM by formula, V vocabulary, h hidden size, L layers, r LoRA rank.

    full: V·h (embeddings, tied with the head) + 4h (embedding and final layer norms)
          + L·(12h² + 13h) (per block: qkv 3h²+3h, dense h²+h, MLP 8h²+5h, two layer norms 4h);
    the quantized Linears hold L·12h² weights and L·9h biases; 4-bit packs two weights per stored
    element, so "all" loses L·6h²; the trainable count at 4-bit load (the reference's) is what
    stays outside the quantized layers: V·h + 4h + L·4h; LoRA: the registry's formula (on
    query_key_value L·r·(h + 3h)).
    """
    V, h, L = shape["vocab_size"], shape["hidden_size"], shape["num_layers"]
    full = base_total(shape)
    method = get("lora").formula(shape, {"kind": "lora", **lora})
    out = {"full": full, "quantized_weights": L * 12 * h * h, "quantized_biases": L * 9 * h,
           "all_4bit": full - L * 6 * h * h, "trainable_4bit": V * h + 4 * h + L * 4 * h,
           "lora_trainable": method["trainable"]}
    # the model grows by LoRA's matrices only: biases that train (bias lora_only/all) were there
    out["all_4bit_lora"] = out["all_4bit"] + method["added"]
    out["all_lora_unquantized"] = full + method["added"]
    return out


def account(shape: dict, lora: dict) -> dict:
    """Counts on the meta-device model of ``shape`` (family bloom: a peft.architectures entry, or
    ftlib.models.shapes.arch_from_hf_config of a checkpoint), each checked against its formula."""
    model = build_on_meta(shape)
    full = count(model)[1]
    linears = quantized_linears(model)
    q_weights = sum(m.weight.numel() for m in linears)
    q_biases = sum(m.bias.numel() for m in linears if m.bias is not None)
    counted = {"full": full, "quantized_weights": q_weights, "quantized_biases": q_biases,
               "all_4bit": full - q_weights // 2, "trainable_4bit": full - q_weights - q_biases}
    lora_trainable, with_lora = count(apply_method(model, {"kind": "lora", **lora}))
    counted["lora_trainable"] = lora_trainable
    counted["all_4bit_lora"] = counted["all_4bit"] + with_lora - full
    counted["all_lora_unquantized"] = with_lora
    by_formula = formulas(shape, lora)
    mismatched = {k: (counted[k], v) for k, v in by_formula.items() if counted[k] != v}
    if mismatched:
        raise RuntimeError(f"BLOOM parameter counts disagree with their formulas: {mismatched}")
    return {"shape": dict(shape), "lora_r": lora["r"], "counted": counted, "formula": by_formula,
            "lines": {"full": describe(full, full),
                      "4bit": describe(counted["trainable_4bit"], counted["all_4bit"]),
                      "4bit_lora": describe(lora_trainable, counted["all_4bit_lora"]),
                      "lora_unquantized": describe(lora_trainable, counted["all_lora_unquantized"])}}
