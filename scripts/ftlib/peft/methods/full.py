"""``full``: every parameter trains (full fine-tuning, the reference every method is measured against)."""
from ftlib.models.shapes import base_formula_text, base_total
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import freeze_all_but


class Full(Method):
    kind = "full"

    def apply(self, model, spec, target):
        freeze_all_but(model, lambda name: True)
        return model

    def formula(self, arch, spec):
        return {"added": 0, "trainable": base_total(arch), "text": base_formula_text(arch)}

    def describe(self, spec):
        return "full fine-tuning"
