"""``prompt``: soft prompt tuning, ``num_virtual_tokens`` trained embeddings before the input
(Lester et al. 2021), with the classifier's head. peft's PromptTuning for encoders and language
models; T5's classifier gets an encoder prompt of its own (ftlib.peft.soft_prompt)."""
from ftlib.models.shapes import head, head_text, task_of
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import peft_common, train_only


def prompt_stacks(arch: dict, spec: dict) -> int:
    """peft prompts both stacks of a seq2seq LM (encoder and decoder); encoder_only keeps one,
    as the reference counts it; every other model has one prompt."""
    two = arch["family"] == "t5" and task_of(arch) == "seq2seq_lm" and not spec.get("encoder_only")
    return 2 if two else 1


class Prompt(Method):
    kind = "prompt"
    export = "peft_adapter"  # extra positions: nothing to fold
    required = ("num_virtual_tokens",)
    optional = ("encoder_only",)

    def apply(self, model, spec, target):
        n = spec["num_virtual_tokens"]
        if target.family == "t5" and target.classifier:
            from ftlib.peft.soft_prompt import add_encoder_prompt

            add_encoder_prompt(model, n)
            train_only(model, target, lambda name: name.startswith("soft_prompt."))
            return model
        from peft import PromptTuningConfig, get_peft_model

        stacks = prompt_stacks({"family": target.family, "task": target.task}, spec)
        return get_peft_model(model, PromptTuningConfig(num_virtual_tokens=n, num_transformer_submodules=stacks,
                                                        **peft_common(target)))

    def formula(self, arch, spec):
        stacks, n, D = prompt_stacks(arch, spec), spec["num_virtual_tokens"], arch["hidden_size"]
        added = stacks * n * D
        return {"added": added, "trainable": added + head(arch),
                "text": (f"{stacks}·" if stacks > 1 else "") + f"{n}·{D}" + head_text(arch)}

    def export_format(self, target):
        return "trainable" if target.family == "t5" and target.classifier else self.export  # the project's prompt

    def max_positions(self, spec, max_positions):
        return max_positions - spec["num_virtual_tokens"]

    def describe(self, spec):
        return f"prompt {spec['num_virtual_tokens']} tokens" + (" (encoder only)" if spec.get("encoder_only") else " (peft)")
