"""The PEFT method kinds, one module each (ftlib.peft.registry): importing this package registers
every module in this folder, so that a new kind is one new module here and its config entry.

The helpers that every step uses are re-exported here: apply_method, max_positions_for,
trainable_names.
"""
import importlib
import pkgutil

from ftlib.peft.registry import get, kinds  # noqa: F401
from ftlib.peft.trainable import trainable_names  # noqa: F401

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def apply_method(model, spec: dict, target=None):
    """``model`` prepared for ``spec`` (possibly wrapped by peft: use the returned model); only its
    trainable parameters require gradients. ``target`` defaults to what the model is."""
    from ftlib.core import transformers_guard  # noqa: F401  (before peft and transformers)
    from ftlib.peft.families import target_of

    return get(spec["kind"]).apply(model, spec, target or target_of(model))


def max_positions_for(spec: dict, max_positions: int) -> int:
    """Input tokens left for the text: a soft prompt takes positions of the position table."""
    return get(spec["kind"]).max_positions(spec, max_positions)


def describe(spec: dict) -> str:
    return get(spec["kind"]).describe(spec)
