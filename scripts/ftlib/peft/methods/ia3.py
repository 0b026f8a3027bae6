"""``ia3``: peft's (IA)^3, learned scales of keys, values and the feed-forward activations
(Liu et al. 2022), with the classifier's head."""
from ftlib.models.shapes import head
from ftlib.peft.families import IA3
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import peft_common


class IA3Method(Method):
    kind = "ia3"
    export = "merged"  # peft folds it into the base's weights (merge_and_unload)

    def apply(self, model, spec, target):
        from peft import IA3Config, get_peft_model

        targets, feedforward = IA3[target.family]
        return get_peft_model(model, IA3Config(target_modules=targets, feedforward_modules=feedforward,
                                               **peft_common(target)))

    def formula(self, arch, spec):
        D, L, F, h = arch["hidden_size"], arch["num_layers"], arch["intermediate_size"], head(arch)
        if arch["family"] == "t5":  # k, v of 3 attentions per decoder block, 1 per encoder block; wo's input
            inner = arch["num_heads"] * arch["head_dim"]
            added = L * (2 * inner + F) + L * (4 * inner + F)
            return {"added": added, "trainable": added + h,
                    "text": f"{L}·(2·{inner}+{F}) + {L}·(4·{inner}+{F}) + head {h:,}"}
        added = L * (2 * D + F)
        return {"added": added, "trainable": added + h, "text": f"{L}·(2·{D}+{F}) + head {h:,}"}

    def describe(self, spec):
        return "(IA)³"
