"""``bitfit``: only the bias terms train (Ben Zaken et al. 2022), with the classifier's head."""
from ftlib.models.shapes import bias_terms, head
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import train_only


class BitFit(Method):
    kind = "bitfit"

    def apply(self, model, spec, target):
        train_only(model, target, lambda name: name.endswith(".bias"))
        return model

    def formula(self, arch, spec):
        if arch["family"] not in ("roberta", "bert"):
            raise ValueError(f"no BitFit formula for {arch['family']} (T5 has no bias terms)")
        # every bias term, and the head (RoBERTa's trains whole; BERT's pooler bias is a bias too)
        biases, expression, values = bias_terms(arch)
        return {"added": 0, "trainable": biases + head(arch), "text": f"{expression} + head = {values} + {head(arch):,}"}

    def describe(self, spec):
        return "BitFit"
