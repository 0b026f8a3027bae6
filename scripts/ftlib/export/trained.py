"""A run trained by transformers' Trainer (the HF branch, the PEFT branch) as an export folder:
its model rebuilt as the job built it (the base folder, the PEFT method), the best-valid epoch's
trainable weights loaded into it (the run's best_valid.pt, ftlib.hf.train.BestValidWeights), and
saved in the one format the method allows (FORMATS). Every weight that did not train is the
base's, so the rebuilt model is the run's model at its best-valid epoch.
"""
from __future__ import annotations

import json
from pathlib import Path

from ftlib.core import transformers_guard  # noqa: F401  (before transformers and peft)
from ftlib.core.errors import InputError

FORMATS = {
    "whole": "every weight in a transformers folder",
    "merged": "the method's weights folded into the base's (peft's merge_and_unload): a transformers folder",
    "peft_adapter": "a peft adapter folder (adapter_config.json names the base; the head is saved with it)",
    "trainable": "the trained tensors (trainable.safetensors) and the method (export.json) over the named base",
}
TRAINABLE_FILE = "trainable.safetensors"


def labelled_base(base_dir, labels: list[str]):
    """The base folder as a sequence classifier with one output per label, named in ``labels``' order."""
    from transformers import AutoModelForSequenceClassification

    if not (Path(base_dir) / "config.json").is_file():
        raise InputError(Path(base_dir) / "config.json", "missing: not a HuggingFace checkpoint folder")
    return AutoModelForSequenceClassification.from_pretrained(
        str(base_dir), num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)})


def method_model(base_dir, spec: dict | None, labels: list[str]):
    """(model, its export format): the base as a labelled classifier with ``spec``'s method (None:
    the HF branch, every weight trains), as the job built it."""
    from ftlib.peft import apply_method, get
    from ftlib.peft.families import target_of

    model = labelled_base(base_dir, labels)
    if spec is None:
        return model, "whole"
    return apply_method(model, spec), get(spec["kind"]).export_format(target_of(model))


def rebuild(base_dir, spec: dict | None, labels: list[str], weights_path):
    """(model, its export format, best-valid record) of a run: method_model with the run's kept
    weights loaded. The new head's and the method's random initial values are all trainable, so
    every one of them is replaced."""
    import torch

    from ftlib.hf.train import load_trainable

    model, fmt = method_model(base_dir, spec, labels)
    best = torch.load(weights_path, map_location="cpu", weights_only=True)  # a GPU run's, on any node
    load_trainable(model, best["weights"], weights_path)
    return model.eval(), fmt, best


def unwrap_saved_modules(model) -> None:
    """peft's trained copy of each module that trains whole (the classifier's head) put in place of
    its wrapper: peft 0.21's (IA)³ merge_and_unload fails on a wrapped module with no weight of its
    own (RobertaClassificationHead: 'object has no attribute weight')."""
    from peft.utils import ModulesToSaveWrapper

    for name, module in list(model.named_modules()):
        if isinstance(module, ModulesToSaveWrapper):
            (copy,) = module.modules_to_save.values()  # one adapter: the run's
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent), child, copy)


def save_export(model, fmt: str, tokenizer, out_dir) -> None:
    """``model`` (rebuilt) written to ``out_dir`` in ``fmt``, with the tokenizer."""
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "merged":
        unwrap_saved_modules(model)
        model = model.merge_and_unload()
    if fmt == "trainable":
        save_file({name: p.detach().contiguous() for name, p in model.named_parameters() if p.requires_grad},
                  out_dir / TRAINABLE_FILE)
    else:  # transformers' folder, or peft's adapter folder (a PeftModel's save_pretrained)
        model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def load_trainable_export(folder: Path, info: dict):
    """A ``trainable`` export: its base with its method, the trained tensors loaded."""
    from safetensors.torch import load_file

    from ftlib.hf.train import load_trainable

    model, _ = method_model(info["base_model"], info["spec"], info["labels"])
    load_trainable(model, load_file(folder / TRAINABLE_FILE), folder / TRAINABLE_FILE)
    return model


def load_any(folder):
    """(model in eval mode, tokenizer, export.json's record or {}) of an export folder of any format."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(folder)
    record = folder / "export.json"
    info = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    fmt = info.get("format", "whole")
    if fmt in ("whole", "merged"):
        model = AutoModelForSequenceClassification.from_pretrained(str(folder))
    elif fmt == "peft_adapter":
        from peft import PeftModel

        model = PeftModel.from_pretrained(labelled_base(info["base_model"], info["labels"]), str(folder))
    elif fmt == "trainable":
        model = load_trainable_export(folder, info)
    else:
        raise InputError(record, f"format {fmt!r} is none of {', '.join(FORMATS)}")
    return model.eval(), AutoTokenizer.from_pretrained(str(folder)), info
