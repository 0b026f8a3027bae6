"""The registry of PEFT method kinds, in the spirit of peft's ``tuners/``: one module per kind in
ftlib/peft/methods/, each registering a :class:`Method` subclass with :func:`register`. A kind
holds everything the project knows of it: how it is applied to a model, its trainable-parameter
formula and its one-line description. Adding a kind is one module there plus its config entry.

No torch at import: the Snakefile lists the registered kinds at start-up (an unknown kind in the
config fails there, naming them).
"""
from __future__ import annotations

from dataclasses import dataclass

_REGISTRY: dict[str, "Method"] = {}


class UnknownKind(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    """What a method needs to know of the model it is applied to: its family (ftlib.peft.families)
    and what it is for: ``seq_cls`` (a classifier, whose new head always trains), ``seq2seq_lm``
    or ``causal_lm``."""

    family: str
    task: str
    hidden_size: int

    @property
    def classifier(self) -> bool:
        return self.task == "seq_cls"

    def peft_task_type(self):
        from peft import TaskType

        return {"seq_cls": TaskType.SEQ_CLS, "seq2seq_lm": TaskType.SEQ_2_SEQ_LM,
                "causal_lm": TaskType.CAUSAL_LM}[self.task]


class Method:
    """One kind of method. Subclasses set ``kind`` and implement the three methods."""

    kind: str = ""
    # spec keys the kind requires (checked at start-up) and may take
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def apply(self, model, spec: dict, target: Target):
        """The model prepared for ``spec``: only the parameters that train require gradients (a
        classifier's head always does). May wrap the model (peft does): use the returned one."""
        raise NotImplementedError

    def formula(self, arch: dict, spec: dict) -> dict:
        """{added, trainable, text}: what the method adds to the base model, what trains (with a
        classifier's head) and the expression, by closed form from the shape ``arch``."""
        raise NotImplementedError

    def describe(self, spec: dict) -> str:
        raise NotImplementedError

    def max_positions(self, spec: dict, max_positions: int) -> int:
        """Input tokens left for the text (a soft prompt takes some of the position table)."""
        return max_positions

    def check(self, name: str, spec: dict) -> None:
        """A config entry's keys against what the kind takes: one line naming the method."""
        missing = [key for key in self.required if key not in spec]
        unknown = sorted(set(spec) - {"kind", *self.required, *self.optional})
        if missing or unknown:
            what = (f"lacks {', '.join(missing)}" if missing else "") + ("; " if missing and unknown else "") + \
                   (f"takes no {', '.join(unknown)}" if unknown else "")
            raise UnknownKind(f"peft.methods.{name}: kind {self.kind!r} {what} "
                              f"(it takes {', '.join(self.required + self.optional) or 'no key'})")


def register(cls):
    """Class decorator: registers one instance of ``cls`` under ``cls.kind``."""
    if not cls.kind or cls.kind in _REGISTRY:
        raise ValueError(f"method kind {cls.kind!r} is empty or registered twice")
    _REGISTRY[cls.kind] = cls()
    return cls


def kinds() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def get(kind: str) -> Method:
    _load()
    if kind not in _REGISTRY:
        raise UnknownKind(f"unknown PEFT method kind {kind!r} (registered: {', '.join(sorted(_REGISTRY))}; "
                          f"a new kind is a module in scripts/ftlib/peft/methods/)")
    return _REGISTRY[kind]


def check_methods(methods: dict) -> None:
    """Every config entry (peft.methods) names a registered kind with the keys it takes."""
    for name, spec in methods.items():
        try:
            get(spec.get("kind", "")).check(name, spec)
        except UnknownKind as error:
            text = str(error)
            raise UnknownKind(text if text.startswith("peft.methods") else f"peft.methods.{name}: {text}") from None


def _load():
    from ftlib.peft import methods  # noqa: F401  (its __init__ imports every kind's module)
