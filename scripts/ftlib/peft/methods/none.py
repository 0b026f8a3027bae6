"""``none``: the base model as it is (the accounting's base rows; nothing is trained)."""
from ftlib.models.shapes import base_formula_text, base_total
from ftlib.peft.method_kind import Method


class NoMethod(Method):
    kind = "none"

    def apply(self, model, spec, target):
        return model

    def formula(self, arch, spec):
        return {"added": 0, "trainable": base_total(arch), "text": base_formula_text(arch)}

    def describe(self, spec):
        return "base model"
