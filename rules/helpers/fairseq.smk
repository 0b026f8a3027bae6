# The fairseq branch's helpers (rules/fairseq.smk; stock_hp for the tuned-vs-stock runs of rules/bench.smk): functions only (rule files hold rules, `snakemake --lint`).
from ftlib.core.recipe import STOCK_LEVERS


def stock_hp(wildcards):
    """The config's recipe without the speed levers: the tuned-vs-stock comparison's baseline."""
    return {**finetune_hp(wildcards), **STOCK_LEVERS}


def finetune_inputs(wildcards):
    """The pretrained init restores the checkpoint; scratch starts from random weights.

    Both wait for the checkpoint check: both use its dict.txt, and a bad checkpoint must stop
    the workflow before any training.
    """
    mode = task_mode(wildcards)
    inputs = {
        "data_bin": data_bin(wildcards.task),
        "train_labels": prepared_file("train", "label", wildcards.task),
        "checkpoint_check": pretrained_file("checkpoint_check.json", mode),
    }
    if wildcards.init == "pretrained":
        inputs["checkpoint"] = pretrained_file("model.pt", mode)
    return inputs


def all_run_benchmarks(wildcards):
    return [
        f"benchmarks/{wildcards.task}/finetune_fairseq/{init}_seed{seed}.tsv"
        for init in config["inits"]
        for seed in config["seeds"]
    ]


def probe_json(task="{task}"):
    """The frozen-feature probe of the checkpoint, and of a random-init encoder beside it."""
    return f"reports/{task}/probe.json"


def probe_results(wildcards):
    """The frozen-feature probe, and on the demo the probe along the masked-LM pretraining and
    the test split (its reviews' kinds: plain, mixed, label noise)."""
    inputs = {"probe": probe_json(wildcards.task)}
    if wildcards.task == "demo":
        inputs["probe_curve"] = rules.probe_pretraining_curve.output.curve
        inputs["demo_test_reviews"] = raw_file("test", "review", "demo")
        inputs["demo_test_labels"] = raw_file("test", "label", "demo")
    return inputs


def fairseq_report(task):
    return f"reports/{task}/fairseq_report.md"
