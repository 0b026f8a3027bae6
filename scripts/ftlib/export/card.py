"""The model card (README.md) of an exported run, in the hub's format: YAML metadata built with
huggingface_hub's ModelCardData (language, license, datasets, model-index with the test accuracy)
and a body saying what was trained, how it was chosen, its numbers over seeds and where it came
from. Written offline: nothing is sent to the hub (docs/usage.md says how to push it)."""
from __future__ import annotations

from ftlib.core.tables import markdown_table

TRANSFORMERS_USE = ["from transformers import AutoModelForSequenceClassification, AutoTokenizer",
                    "tokenizer = AutoTokenizer.from_pretrained(folder)",
                    "model = AutoModelForSequenceClassification.from_pretrained(folder)"]


def seeds_info(rows) -> dict:
    """Every seed's valid and test accuracy, and the group's mean and two-level interval."""
    from ftlib.core.runs_table import read_run_predictions
    from ftlib.core.stats import group_summary, two_level_bootstrap

    seeds = {int(r.seed): {"valid": float(r.best_valid_accuracy), "test": float(r.test_accuracy)}
             for r in rows.itertuples()}
    correct = [(t.gold == t.predicted).to_numpy(dtype=int) for t in map(read_run_predictions, rows.run_dir)]
    return {"seeds": seeds, "mean": group_summary([s["test"] for s in seeds.values()])["mean"],
            "two_level": two_level_bootstrap(correct)}


def run_info(params, chosen, rows, parity: dict) -> dict:
    """What every card says of its run, from the rule's params (task, labels, export,
    base_description), the chosen row of the runs table, its group's rows and the parity check."""
    from ftlib.core.runs_table import hp

    task = params.task
    return {
        "task": task["name"], "task_description": task["description"], "base_description": params.base_description,
        "labels": list(params.labels), "dataset_type": task["name"], "dataset_name": task["name"], "datasets": None,
        "seed": int(chosen.seed), "test_accuracy": float(chosen.test_accuracy), **seeds_info(rows),
        "recipe": {k[3:]: hp(chosen, k[3:]) for k in chosen.index if k.startswith("hp.")},
        "parity": parity, "run_dir": chosen.run_dir, "commit": chosen.git_commit,
        "command": "snakemake --cores 4 export", "language": params.export["language"],
        "license": params.export["license"], "license_note": params.export["license_note"],
    }


def eval_results(info: dict) -> list:
    """model-index: this run's test accuracy, and the mean over the seeds with its two-level
    interval and every seed's value (metric_args)."""
    from huggingface_hub import EvalResult

    common = {"task_type": "text-classification", "task_name": "Text classification",
              "dataset_type": info["dataset_type"], "dataset_name": info["dataset_name"],
              "dataset_split": "test", "metric_type": "accuracy"}
    seeds = info["seeds"]
    return [
        EvalResult(**common, metric_value=info["test_accuracy"],
                   metric_name=f"Test accuracy (seed {info['seed']}, the best valid accuracy of {len(seeds)} seeds)"),
        EvalResult(**common, metric_value=round(info["mean"], 2), metric_name=f"Test accuracy, mean of {len(seeds)} seeds",
                   metric_args={"two_level_interval_95": [round(x, 2) for x in info["two_level"]],
                                "seeds": {str(s): v["test"] for s, v in seeds.items()}}),
    ]


def card_body(info: dict) -> str:
    """The card's text (markdown)."""
    seeds = info["seeds"]
    rows = [[s, f"{v['valid']:.1f}", f"{v['test']:.1f}", "exported" if int(s) == info["seed"] else ""]
            for s, v in seeds.items()]
    recipe = [[key, f"`{value}`"] for key, value in sorted(info["recipe"].items())]
    low, high = info["two_level"]
    lines = [
        f"# {info['model_name']}", "",
        f"{info['what']} on **{info['task']}**: {info['task_description']}. Base model: "
        f"{info['base_description']}. Labels: {', '.join(f'`{x}`' for x in info['labels'])}.", "",
        "## How it was chosen", "",
        f"Of {len(seeds)} seeds run with the same recipe, the one with the best validation accuracy "
        f"(ties: the lower seed). Its test accuracy is **{info['test_accuracy']:.2f} %**; over the seeds, "
        f"the mean is {info['mean']:.2f} % with a two-level 95 % interval [{low:.1f}, {high:.1f}] "
        "(seeds and test examples resampled), the spread a rerun should expect.", "",
        *markdown_table(["seed", "valid accuracy", "test accuracy", ""], rows), "",
        "## Recipe", "", *markdown_table(["hyperparameter", "value"], recipe), "",
        "## From the run", "",
        f"{info['origin']} On the {info['parity']['examples']} test examples its predicted labels equal the "
        f"run's and its probabilities agree within {info['parity']['max_abs_difference']:.1e}.", "",
        "## Use", "", "```python", *(info.get("use") or TRANSFORMERS_USE), "```", "",
        f"Or, in the workflow that made it: `make predict TASK={info['task']} INPUT=<file> MODEL={info['export_name']}`.",
        "",
        "## Provenance", "",
        f"- commit `{info['commit']}`; made by `{info['command']}`",
        f"- run folder `{info['run_dir']}` (its `run.json` holds every recipe value and library version)",
        f"- {info['license_note']}",
    ]
    return "\n".join(lines) + "\n"


def model_card(info: dict):
    """The ModelCard (metadata and body) of one exported run."""
    from huggingface_hub import ModelCard, ModelCardData

    data = ModelCardData(language=info["language"], license=info["license"],
                         library_name=info.get("library_name", "transformers"), base_model=info.get("hub_base"),
                         pipeline_tag="text-classification", tags=[*info["tags"], "text-classification"],
                         model_name=info["model_name"], eval_results=eval_results(info),
                         datasets=info.get("datasets"))
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{card_body(info)}")
