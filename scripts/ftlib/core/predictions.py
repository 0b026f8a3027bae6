"""Per-example test predictions (predictions.tsv beside a run's metrics.json): what paired
comparisons (McNemar, the paired bootstrap) need, example by example.

Columns: index (the example's line in the test split, from 0), gold, predicted (labels as in the
data), then p_<label>: the model's probability of each label (softmax of its logits).
"""
from __future__ import annotations

import csv
from pathlib import Path


def write_predictions(path, gold: list[str], predicted: list[str], probabilities: list[list[float]],
                      labels: list[str]) -> float:
    """Write the table; return its accuracy in % (to check against the run's reported one)."""
    if not len(gold) == len(predicted) == len(probabilities):
        raise ValueError(f"{path}: {len(gold)} gold labels, {len(predicted)} predictions, "
                         f"{len(probabilities)} probability rows")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "gold", "predicted", *(f"p_{label}" for label in labels)])
        for i, (g, p, probs) in enumerate(zip(gold, predicted, probabilities)):
            writer.writerow([i, g, p, *(f"{x:.6f}" for x in probs)])
    return 100.0 * sum(g == p for g, p in zip(gold, predicted)) / len(gold)
