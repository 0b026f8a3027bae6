"""``bitfit``: only the bias terms train (Ben Zaken et al. 2022), with the classifier's head."""
from ftlib.accounting.shapes import head
from ftlib.peft.registry import Method, register
from ftlib.peft.trainable import train_only


@register
class BitFit(Method):
    kind = "bitfit"

    def apply(self, model, spec, target):
        train_only(model, target, lambda name: name.endswith(".bias"))
        return model

    def formula(self, arch, spec):
        if arch["family"] not in ("roberta", "bert"):
            raise ValueError(f"no BitFit formula for {arch['family']} (T5 has no bias terms)")
        D, L, F, h = arch["hidden_size"], arch["num_layers"], arch["intermediate_size"], head(arch)
        # per layer: q,k,v,o, FFN in/out and two norm biases; the embedding norm's bias; the head
        # (RoBERTa's head trains whole; BERT's pooler bias is a bias too)
        trainable = L * (7 * D + F) + D + h + (D if arch["family"] == "bert" else 0)
        return {"added": 0, "trainable": trainable, "text": f"L(7D+F) + D + head = {L}·(7·{D}+{F}) + {D} + {h:,}"}

    def describe(self, spec):
        return "BitFit"
