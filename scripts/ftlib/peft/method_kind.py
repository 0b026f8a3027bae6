"""What a PEFT method kind is: the :class:`Method` interface every module of
ftlib/peft/methods/ implements, the :class:`Target` it is applied to, and the error a config
entry that no kind takes raises. Imports nothing of the project: the kinds, the registry and
the families all build on it. No torch at import.
"""
from __future__ import annotations

from dataclasses import dataclass


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
    # how a trained model of this kind is exported (ftlib.export.trained.FORMATS)
    export: str = "whole"

    def export_format(self, target: Target) -> str:
        """The export format of a model of this kind applied to ``target``."""
        return self.export

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
