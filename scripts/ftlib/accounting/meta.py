"""What every parameter accounting shares: models built on the meta device, each tensor counted once."""
from __future__ import annotations

import torch
from torch import nn


def on_meta_device(model_class, config):
    """``model_class(config)`` with shapes and no weights: no memory, no download, seconds.

    Built under ``with torch.device("meta")`` so that tied weights stay tied
    (``accelerate.init_empty_weights()`` unties them and counts the embeddings twice).
    """
    with torch.device("meta"):
        return model_class(config)


def parameter_counts(model: nn.Module) -> dict:
    """Trainable and total parameters of a model, each tensor counted once.

    peft's modules_to_save keeps a frozen copy of the head (original_module) beside the trained
    one; the copy is bookkeeping, not part of the model that predicts, so it is not counted.
    A packed 4-bit weight counts its storage (half its weights), as peft's
    print_trainable_parameters does.
    """
    trainable = total = 0
    seen = set()
    for name, param in model.named_parameters():
        if ".original_module." in name or id(param) in seen:
            continue
        seen.add(id(param))
        total += param.numel()
        trainable += param.numel() if param.requires_grad else 0
    return {"trainable": trainable, "total": total}
