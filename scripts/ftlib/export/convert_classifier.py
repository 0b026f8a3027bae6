"""A fine-tuned fairseq sentence_prediction checkpoint -> transformers RobertaForSequenceClassification.

The encoder maps as the pretrained checkpoint's does (ftlib.hf.convert, parity-checked there);
fairseq's classification head (dense, tanh, out_proj: RobertaClassificationHead) is transformers'
`classifier` with the same two layers, its outputs in the label dictionary's order.
"""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError
from ftlib.hf.convert import (FS, expected_hf_tensor, hf_config, load_fairseq_checkpoint, load_from_fairseq,
                              save_with_tokenizer)
from ftlib.hf.tokenizer import build_tokenizer

HEAD = "classification_heads.sentence_classification_head."


def label_order(label_dict, labels: list[str]) -> list[int]:
    """For each of ``labels``, its output of the fairseq head: the line of the label dictionary
    (data-bin/label/dict.txt) that holds it (fairseq's targets count from its first symbol)."""
    symbols = [line.split()[0] for line in Path(label_dict).read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [label for label in labels if label not in symbols]
    if missing:
        raise InputError(label_dict, f"label(s) {', '.join(missing)} not in the label dictionary")
    return [symbols.index(label) for label in labels]


def classifier_tensor(name: str, weights: dict, extra_rows: int, order: list[int]):
    """The transformers tensor for ``name`` from the fine-tuned checkpoint's weights; the output
    layer's rows in ``order`` (the labels' order)."""
    if name.startswith("classifier."):
        tensor = weights[HEAD + name.removeprefix("classifier.")].float()
        return tensor[order] if name.startswith("classifier.out_proj.") else tensor
    return expected_hf_tensor(name, weights, extra_rows)


def convert_classifier(checkpoint, dict_path, spm_path, label_dict, labels: list[str], out_dir) -> dict:
    """Write a transformers folder (config with the labels, safetensors, tokenizer) for a
    fine-tuned checkpoint; its classes in ``labels``' order (the predictions.tsv columns')."""
    import torch
    from transformers import RobertaForSequenceClassification

    weights, args = load_fairseq_checkpoint(checkpoint)
    if HEAD + "out_proj.weight" not in weights:
        raise InputError(checkpoint, "no sentence_classification_head: not a fine-tuned classifier")
    order = label_order(label_dict, labels)
    if weights[HEAD + "out_proj.weight"].shape[0] != len(order):
        raise InputError(checkpoint, f"{weights[HEAD + 'out_proj.weight'].shape[0]} outputs, {len(labels)} labels")
    _, n_symbols, extra = build_tokenizer(spm_path, dict_path)
    config = hf_config(args, n_symbols + len(extra), tied=True)
    config.num_labels = len(labels)
    config.id2label = dict(enumerate(labels))
    config.label2id = {label: i for i, label in enumerate(labels)}
    with torch.device("meta"):
        model = RobertaForSequenceClassification(config)
    load_from_fairseq(model, lambda name: classifier_tensor(name, weights, len(extra), order), checkpoint)
    save_with_tokenizer(model, spm_path, dict_path, args.max_positions, out_dir)
    return {"layers": config.num_hidden_layers, "hidden_size": config.hidden_size, "labels": list(labels),
            "vocab_size": config.vocab_size, "pieces_not_in_dict": len(extra), "encoder": FS.rstrip(".")}
