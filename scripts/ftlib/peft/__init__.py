"""The PEFT methods on a sequence classifier: the helpers every step uses (apply a method, the
positions it leaves, its description, what trains) over the registry of method kinds
(ftlib.peft.registry, one module per kind in ftlib/peft/methods/). No torch, transformers or
peft at import: they load when a method is applied.
"""
from ftlib.peft.families import target_of
from ftlib.peft.registry import check_methods, get, kinds
from ftlib.peft.trainable import trainable_names

__all__ = ["apply_method", "check_methods", "describe", "get", "kinds", "max_positions_for", "trainable_names"]


def apply_method(model, spec: dict, target=None):
    """``model`` prepared for ``spec`` (possibly wrapped by peft: use the returned model); only its
    trainable parameters require gradients. ``target`` defaults to what the model is."""
    from ftlib.core import transformers_guard  # noqa: F401  (before peft and transformers)

    return get(spec["kind"]).apply(model, spec, target or target_of(model))


def max_positions_for(spec: dict, max_positions: int) -> int:
    """Input tokens left for the text: a soft prompt takes positions of the position table."""
    return get(spec["kind"]).max_positions(spec, max_positions)


def describe(spec: dict) -> str:
    return get(spec["kind"]).describe(spec)
