"""``adapter``: bottleneck adapters of ``size`` after each attention and feed-forward block
(Houlsby et al. 2019; ftlib.peft.adapters), with the classifier's head."""
from ftlib.models.shapes import head, head_text
from ftlib.peft.families import ADAPTERS
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import train_only


class Adapter(Method):
    kind = "adapter"
    export = "trainable"  # a ReLU between two projections: nothing to fold; not a peft tuner
    required = ("size",)
    optional = ("pattern",)

    def apply(self, model, spec, target):
        from ftlib.peft.adapters import add_adapters

        add_adapters(model, spec.get("pattern", ADAPTERS[target.family]), target.hidden_size, spec["size"])
        train_only(model, target, lambda name: ".adapter." in name)
        return model

    def formula(self, arch, spec):
        D, m = arch["hidden_size"], spec["size"]
        n = 2 * arch["num_layers"]  # RoBERTa/BERT: attention and feed-forward of L layers; T5: L + L blocks
        added = n * (2 * D * m + D + m)  # down D·m + m, up m·D + D
        return {"added": added, "trainable": added + head(arch),
                "text": f"{n}·(2·{D}·{m} + {D} + {m})" + head_text(arch)}

    def describe(self, spec):
        return f"bottleneck adapter {spec['size']}"
