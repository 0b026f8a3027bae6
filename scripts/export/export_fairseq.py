"""Snakemake script: the best-valid seed of one fairseq init as a transformers folder with its model
card: converted from checkpoint_best.pt, proved equal to the run on its test split (labels and
probabilities), then moved into place (nothing half written counts as done)."""
import shutil
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.runs_table import hp, read_run_predictions, read_runs
from ftlib.core.stats import group_summary, two_level_bootstrap
from ftlib.core.textio import write_json
from ftlib.export.card import model_card
from ftlib.export.convert_classifier import convert_classifier
from ftlib.export.predict import load_exported, parity_with_run, predict_texts
from ftlib.export.select import best_run
from ftlib.hf.data import read_jsonl


def seeds_info(rows) -> dict:
    """Every seed's valid and test accuracy, and the group's mean and two-level interval."""
    seeds = {int(r.seed): {"valid": float(r.best_valid_accuracy), "test": float(r.test_accuracy)}
             for r in rows.itertuples()}
    correct = [(t.gold == t.predicted).to_numpy(dtype=int) for t in map(read_run_predictions, rows.run_dir)]
    return {"seeds": seeds, "mean": group_summary([s["test"] for s in seeds.values()])["mean"],
            "two_level": two_level_bootstrap(correct)}


def card_info(p, chosen, rows, parity: dict) -> dict:
    task, init = p.task, snakemake.wildcards.init
    return {
        "model_name": f"{task['name']}-fairseq-{init}", "task": task["name"], "task_description": task["description"],
        "what": f"RoBERTa ({'from the pretrained checkpoint' if init == 'pretrained' else 'from a random initialisation'}) "
                "fine-tuned with fairseq-train (sentence_prediction)",
        "base_description": p.base_description, "labels": list(p.labels),
        "dataset_type": task["name"], "dataset_name": task["name"], "datasets": None,
        "seed": int(chosen.seed), "test_accuracy": float(chosen.test_accuracy), **seeds_info(rows),
        "recipe": {k[3:]: hp(chosen, k[3:]) for k in chosen.index if k.startswith("hp.")},
        "checkpoint": f"{chosen.run_dir}/checkpoint_best.pt", "parity": parity, "run_dir": chosen.run_dir,
        "commit": chosen.git_commit, "command": "snakemake --cores 4 export",
        "language": p.export["language"], "license": p.export["license"], "license_note": p.export["license_note"],
    }


def main():
    p, out = snakemake.params, Path(snakemake.output[0])
    rows = read_runs(snakemake.input.runs)
    rows = rows[rows["init"] == snakemake.wildcards.init]
    chosen = best_run(rows)
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    convert_classifier(f"{chosen.run_dir}/checkpoint_best.pt", snakemake.input.dictionary, snakemake.input.spm,
                       Path(snakemake.input.data_bin) / "label" / "dict.txt", list(p.labels), staging)
    model, tokenizer = load_exported(staging)
    texts, _ = read_jsonl(snakemake.input.test, list(p.labels))
    predicted, probabilities = predict_texts(model, tokenizer, texts)
    parity = parity_with_run(predicted, probabilities, f"{chosen.run_dir}/predictions.tsv", list(p.labels),
                             p.export["atol"])
    print(f"seed {chosen.seed} (valid {chosen.best_valid_accuracy}): parity on {parity['examples']} test "
          f"examples, max |Δp| {parity['max_abs_difference']:.1e}", flush=True)
    info = card_info(p, chosen, rows, parity)
    model_card(info).save(staging / "README.md")
    write_json(staging / "export.json", {k: v for k, v in info.items() if k != "language"})
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)


run_step(main, [snakemake.output[0], snakemake.output[0] + ".tmp"], snakemake.log[0])
