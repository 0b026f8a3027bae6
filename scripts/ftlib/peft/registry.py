"""The registry of PEFT method kinds, in the spirit of peft's ``tuners/``: one module per kind in
ftlib/peft/methods/, each a :class:`~ftlib.peft.method_kind.Method` subclass, and one explicit
list of them (ftlib/peft/methods/__init__.py: KINDS) registered here. A kind holds everything
the project knows of it: how it is applied to a model, its trainable-parameter formula and its
one-line description. Adding a kind is one module there, its line in KINDS and its config entry.

No torch at import: the Snakefile lists the registered kinds at start-up (an unknown kind in the
config fails there, naming them).
"""
from __future__ import annotations

from ftlib.peft.method_kind import Method, UnknownKind  # noqa: F401  (UnknownKind: rules/common.smk)
from ftlib.peft.methods import KINDS

_REGISTRY: dict[str, Method] = {}


def register(cls):
    """Registers one instance of ``cls`` under ``cls.kind`` (also usable as a class decorator)."""
    if not cls.kind or cls.kind in _REGISTRY:
        raise ValueError(f"method kind {cls.kind!r} is empty or registered twice")
    _REGISTRY[cls.kind] = cls()
    return cls


for _kind in KINDS:
    register(_kind)


def kinds() -> list[str]:
    return sorted(_REGISTRY)


def get(kind: str) -> Method:
    if kind not in _REGISTRY:
        raise UnknownKind(f"unknown PEFT method kind {kind!r} (registered: {', '.join(sorted(_REGISTRY))}; "
                          f"a new kind is a module in scripts/ftlib/peft/methods/ and its line in KINDS there)")
    return _REGISTRY[kind]


def check_methods(methods: dict) -> None:
    """Every config entry (peft.methods) names a registered kind with the keys it takes."""
    for name, spec in methods.items():
        try:
            get(spec.get("kind", "")).check(name, spec)
        except UnknownKind as error:
            text = str(error)
            raise UnknownKind(text if text.startswith("peft.methods") else f"peft.methods.{name}: {text}") from None
