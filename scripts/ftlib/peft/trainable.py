"""Which parameters train: freezing by name, the classification head's parameters. No torch at import."""
from __future__ import annotations

from ftlib.peft.families import HEADS
from ftlib.peft.method_kind import Target


def is_head(name: str, target: Target) -> bool:
    return target.classifier and name.startswith(tuple(f"{head}." for head in HEADS[target.family]))


def freeze_all_but(model, keep) -> None:
    for name, param in model.named_parameters():
        param.requires_grad_(bool(keep(name)))


def train_only(model, target: Target, keep=lambda name: False) -> None:
    """Freeze every parameter but those ``keep`` accepts and a classifier's new head."""
    freeze_all_but(model, lambda name: keep(name) or is_head(name, target))


def trainable_names(model) -> list[str]:
    return [name for name, param in model.named_parameters() if param.requires_grad]


def peft_common(target: Target) -> dict:
    """The keyword arguments every peft config of this project takes: the task type, and for a
    classifier its head in modules_to_save (peft's default misses T5's ``classification_head``)."""
    extra = {"modules_to_save": list(HEADS[target.family])} if target.classifier else {}
    return {"task_type": target.peft_task_type(), **extra}
