"""``lora``: peft's LoRA of rank ``r`` on ``target_modules`` (Hu et al. 2021), with the classifier's head."""
from ftlib.models.shapes import bias_terms, head, head_text
from ftlib.peft.families import lora_shapes
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import peft_common


def lora_config(spec: dict, target, **extra):
    """peft's LoraConfig of a spec (also the BLOOM branch's, with its ``bias``)."""
    from peft import LoraConfig

    return LoraConfig(r=spec["r"], lora_alpha=spec["alpha"], lora_dropout=spec.get("dropout", 0.0),
                      target_modules=list(spec["target_modules"]), bias=spec.get("bias", "none"),
                      **peft_common(target), **extra)


class LoRA(Method):
    kind = "lora"
    export = "merged"  # peft folds it into the base's weights (merge_and_unload)
    required = ("r", "alpha", "target_modules")
    optional = ("dropout", "bias")

    def apply(self, model, spec, target):
        from peft import get_peft_model

        return get_peft_model(model, lora_config(spec, target))

    def formula(self, arch, spec):
        r, parts, added, biases, bias_parts = spec["r"], [], 0, 0, []
        for module in spec["target_modules"]:
            n, fan_in, fan_out = lora_shapes(arch, module)
            added += n * r * (fan_in + fan_out)
            parts.append(f"{n}·{r}·({fan_in}+{fan_out})")
            if spec.get("bias") == "lora_only" and arch["family"] != "t5":  # T5's projections have no bias
                biases += n * fan_out
                bias_parts.append(f"{n}·{fan_out}")
        if spec.get("bias") == "all":  # peft: every parameter named *.bias
            biases, expression, _ = bias_terms(arch)
            bias_parts = [f"biases {expression} = {biases:,}"]
        text = " + ".join(parts + bias_parts) + head_text(arch)
        return {"added": added, "trainable": added + biases + head(arch), "text": text}

    def describe(self, spec):
        return f"LoRA r={spec['r']} on {'+'.join(spec['target_modules'])}"
