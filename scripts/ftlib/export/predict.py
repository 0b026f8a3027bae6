"""An exported folder's predictions on texts, and their parity with the run they came from."""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError


def load_exported(folder):
    """(model in eval mode, tokenizer, input tokens kept per text) of an export folder of any
    format (ftlib.export.trained.FORMATS), offline."""
    from ftlib.export.trained import load_any

    model, tokenizer, info = load_any(folder)
    # fairseq's padding offset: 2 positions of the table are not the text's
    return model, tokenizer, info.get("max_positions") or model.config.max_position_embeddings - 2


def model_labels(model) -> list[str]:
    """The model's labels in its output order (config.json's id2label)."""
    return [model.config.id2label[i] for i in range(model.config.num_labels)]


def predict_texts(model, tokenizer, texts: list, max_positions: int, batch_size: int = 32) -> tuple[list[str], list[list[float]]]:
    """(predicted label, every label's probability in the model's label order) of each text (a
    pair task's texts: pairs), truncated to ``max_positions`` tokens as fairseq truncates
    (ftlib.hf.train.tokenize)."""
    import torch

    from ftlib.hf.train import tokenize

    encoded = tokenize(tokenizer, texts, [0] * len(texts), max_positions)
    labels = model_labels(model)
    predicted, probabilities = [], []
    with torch.no_grad():
        for start in range(0, len(encoded), batch_size):
            batch = tokenizer.pad({"input_ids": [e["input_ids"] for e in encoded[start:start + batch_size]]},
                                  return_tensors="pt")
            probs = torch.softmax(model(**batch).logits.float(), dim=-1)
            probabilities += probs.tolist()
            predicted += [labels[int(i)] for i in probs.argmax(dim=-1)]
    return predicted, probabilities


def parity_with_run(predicted: list[str], probabilities: list[list[float]], run_predictions, labels: list[str],
                    atol: float) -> dict:
    """The exported model against the run's own predictions.tsv on the same test split: every
    predicted label equal and every probability within ``atol``; else one line naming the first
    example that differs."""
    import pandas as pd

    table = pd.read_csv(run_predictions, sep="\t", dtype={"gold": str, "predicted": str})
    if len(table) != len(predicted):
        raise InputError(run_predictions, f"{len(table)} rows, the exported model predicted {len(predicted)}")
    expected = table[[f"p_{label}" for label in labels]].to_numpy()
    worst = max(abs(a - b) for row, exp in zip(probabilities, expected) for a, b in zip(row, exp))
    for i, (ours, theirs) in enumerate(zip(predicted, table.predicted)):
        if ours != theirs:
            raise InputError(Path(run_predictions), f"example {i}: the exported model predicts {ours}, the run {theirs}")
    if worst > atol:
        raise InputError(Path(run_predictions), f"probabilities differ by {worst:.2e} > {atol:g} from the exported model's")
    return {"examples": len(predicted), "labels_equal": True, "max_abs_difference": float(worst), "atol": atol}
