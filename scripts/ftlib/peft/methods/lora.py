"""``lora``: peft's LoRA of rank ``r`` on ``target_modules`` (Hu et al. 2021), with the classifier's head."""
from ftlib.accounting.shapes import head, head_text
from ftlib.peft.families import lora_shapes
from ftlib.peft.registry import Method, register
from ftlib.peft.trainable import peft_common


def lora_config(spec: dict, target, **extra):
    """peft's LoraConfig of a spec (also the BLOOM branch's, with its ``bias``)."""
    from peft import LoraConfig

    return LoraConfig(r=spec["r"], lora_alpha=spec["alpha"], lora_dropout=spec.get("dropout", 0.0),
                      target_modules=list(spec["target_modules"]), bias=spec.get("bias", "none"),
                      **peft_common(target), **extra)


@register
class LoRA(Method):
    kind = "lora"
    required = ("r", "alpha", "target_modules")
    optional = ("dropout", "bias")

    def apply(self, model, spec, target):
        from peft import get_peft_model

        return get_peft_model(model, lora_config(spec, target))

    def formula(self, arch, spec):
        r, parts, added = spec["r"], [], 0
        for module in spec["target_modules"]:
            n, fan_in, fan_out = lora_shapes(arch, module)
            added += n * r * (fan_in + fan_out)
            parts.append(f"{n}·{r}·({fan_in}+{fan_out})")
        return {"added": added, "trainable": added + head(arch), "text": " + ".join(parts) + head_text(arch)}

    def describe(self, spec):
        return f"LoRA r={spec['r']} on {'+'.join(spec['target_modules'])}"
