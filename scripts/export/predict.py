"""Snakemake script: label a user's file with an exported model: one row per text, the predicted
label and each label's probability (predictions/<task>/<file stem>.tsv)."""
import csv
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.export.inputs import read_texts
from ftlib.export.predict import load_exported, model_labels, predict_texts


def main():
    columns = ["text", "text2"] if snakemake.params.pair else ["text"]
    texts = read_texts(snakemake.input.texts, columns)  # every bad line stops here, before the model loads
    model, tokenizer, max_positions = load_exported(snakemake.input.model)
    predicted, probabilities = predict_texts(model, tokenizer, texts, max_positions)
    labels = model_labels(model)
    out = Path(snakemake.output[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(["index", "predicted", *(f"p_{label}" for label in labels)])
        for i, (label, probs) in enumerate(zip(predicted, probabilities)):
            writer.writerow([i, label, *(f"{p:.6f}" for p in probs)])
    print(f"{len(texts)} texts of {snakemake.input.texts} labelled by {snakemake.input.model} -> {out}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
