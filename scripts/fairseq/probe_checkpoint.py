"""Snakemake script: frozen-feature probe of the pretrained checkpoint vs a random-init encoder
of the same shape (ftlib.fairseq.probe): does the checkpoint carry the label's signal before any
fine-tuning? Seconds on the demo, a few minutes on the real checkpoint (4,000 reviews through a
22.8M-parameter encoder, twice), so it runs in both modes."""
import time

import torch

from ftlib.data.checks import load_dictionary
from ftlib.core.errors import run_step
from ftlib.hf.parity import fairseq_encoder
from ftlib.fairseq.probe import encode_probe_splits, probe_encoder, random_encoder
from ftlib.core.stats import binomial_interval, mcnemar_exact
from ftlib.core.textio import write_json


def main():
    start = time.time()
    torch.set_num_threads(snakemake.threads)
    hp = snakemake.params.hp
    dictionary = load_dictionary(snakemake.input.dictionary)
    splits = encode_probe_splits(snakemake.params.prepared, dictionary, hp)
    pretrained, _, args = fairseq_encoder(snakemake.input.checkpoint, snakemake.input.dictionary)
    encoders = {"pretrained": pretrained,
                "random": random_encoder(args, dictionary, snakemake.params.seed)}
    gold = splits["test"][1]
    result = {"n_train": len(splits["train"][1]), "n_test": len(gold), "seed": snakemake.params.seed,
              "features": "final layer of the frozen encoder; mean: mean over the review's tokens, "
                          "first: the <s> position", "probes": {}}
    for name, encoder in encoders.items():
        for pooling, (accuracy, predicted) in probe_encoder(encoder, splits, dictionary.pad()).items():
            correct = sum(p == g for p, g in zip(predicted, gold))
            low, high = binomial_interval(correct, len(gold))
            result["probes"][f"{name}_{pooling}"] = {"accuracy": accuracy, "ci95": [low, high],
                                                     "predicted": predicted}
            print(f"probe {name:10s} {pooling:5s}: {accuracy:.1f} % (95 % CI {low:.1f}-{high:.1f})", flush=True)
    for pooling in ("mean", "first"):
        a, b = (result["probes"][f"{name}_{pooling}"]["predicted"] for name in ("pretrained", "random"))
        result[f"difference_{pooling}"] = {
            "points": result["probes"][f"pretrained_{pooling}"]["accuracy"]
            - result["probes"][f"random_{pooling}"]["accuracy"],
            "mcnemar_p": mcnemar_exact(a, b, gold)}
    result["wall_seconds"] = time.time() - start
    write_json(snakemake.output[0], result)


run_step(main, snakemake.output, snakemake.log[0])
