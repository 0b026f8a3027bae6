"""Parameter-efficient fine-tuning methods applied to a sequence classifier (RoBERTa, BERT).

Each method is a config entry (config.yaml, peft.methods) with a ``kind``:
  full     every parameter trains;
  bitfit   only the bias terms (Ben Zaken et al. 2022), plus the classification head;
  lora     peft's LoRA on ``target_modules`` (rank r, alpha, dropout), plus the head;
  adapter  bottleneck adapters of ``size`` after each attention and feed-forward block
           (ftlib.peft.adapters: AdapterHub cannot share the pinned transformers 5.x), plus the head;
  prompt   peft's soft prompt tuning, ``num_virtual_tokens`` trained embeddings, plus the head;
  ia3      peft's (IA)^3: learned scales of keys, values and the feed-forward activations, plus the head.
The classification head is new for the task, so every method trains it (peft puts it in
modules_to_save for SEQ_CLS models).
"""
from __future__ import annotations

from ftlib.core import transformers_guard  # noqa: F401  (first: hides the unloadable torchaudio from transformers)

from torch import nn  # noqa: E402

from ftlib.peft.adapters import add_adapters  # noqa: E402

HEAD_PREFIXES = ("classifier.",)  # RobertaForSequenceClassification / BertForSequenceClassification
KINDS = ("full", "bitfit", "lora", "adapter", "prompt", "ia3")

# RoBERTa/BERT module names (relative to the encoder layer list).
ROBERTA_ADAPTER_PATTERN = r".*encoder\.layer\.\d+\.(attention\.output|output)\.dense"
# (IA)^3 as in Liu et al. 2022: scale keys and values (outputs of key/value), and the
# feed-forward activation (input of the second feed-forward projection, layer.N.output.dense,
# not the attention output projection that peft's default "output.dense" also matches).
IA3_TARGETS = r".*encoder\.layer\.\d+\.(attention\.self\.(key|value)|output\.dense)"
IA3_FEEDFORWARD = r".*encoder\.layer\.\d+\.output\.dense"


def _is_head(name: str) -> bool:
    return name.startswith(HEAD_PREFIXES)


def _freeze_all_but(model: nn.Module, keep) -> None:
    for name, param in model.named_parameters():
        param.requires_grad_(bool(keep(name)))


def apply_method(model: nn.Module, spec: dict) -> nn.Module:
    """The model, prepared for ``spec`` (possibly wrapped by peft): only its trainable
    parameters require gradients. Use the returned model (peft wraps, it does not edit in place)."""
    kind = spec["kind"]
    if kind == "full":
        _freeze_all_but(model, lambda name: True)
        return model
    if kind == "bitfit":
        _freeze_all_but(model, lambda name: name.endswith(".bias") or _is_head(name))
        return model
    if kind == "adapter":
        add_adapters(model, spec.get("pattern", ROBERTA_ADAPTER_PATTERN), model.config.hidden_size,
                     spec["size"])
        _freeze_all_but(model, lambda name: ".adapter." in name or _is_head(name))
        return model

    from peft import IA3Config, LoraConfig, PromptTuningConfig, TaskType, get_peft_model

    if kind == "lora":
        config = LoraConfig(task_type=TaskType.SEQ_CLS, r=spec["r"], lora_alpha=spec["alpha"],
                            lora_dropout=spec.get("dropout", 0.0),
                            target_modules=list(spec["target_modules"]), bias="none")
    elif kind == "prompt":
        config = PromptTuningConfig(task_type=TaskType.SEQ_CLS,
                                    num_virtual_tokens=spec["num_virtual_tokens"])
    elif kind == "ia3":
        config = IA3Config(task_type=TaskType.SEQ_CLS, target_modules=IA3_TARGETS,
                           feedforward_modules=IA3_FEEDFORWARD)
    else:
        raise ValueError(f"unknown PEFT method kind {kind!r} (known: {', '.join(KINDS)})")
    return get_peft_model(model, config)


def trainable_names(model: nn.Module) -> list[str]:
    return [name for name, param in model.named_parameters() if param.requires_grad]


def max_positions_for(spec: dict, max_positions: int) -> int:
    """Input tokens left for the text: a soft prompt takes positions of the position table."""
    return max_positions - spec.get("num_virtual_tokens", 0) if spec["kind"] == "prompt" else max_positions
