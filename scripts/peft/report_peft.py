"""Snakemake script: the PEFT comparison report (per-method summary, statistics against full
fine-tuning, per-seed runs, plot, exact parameter accounting beside its closed formulas and the
published counts, the studies' accuracies with verdicts), from the branch's runs table
(reports/<task>/runs/peft.csv)."""
import json
import re
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.failed_runs import failed_run_lines
from ftlib.core.runs_table import as_run, read_predictions, read_runs
from ftlib.core.stats import group_summary
from ftlib.core.stats_report import (T_HEADER, TWO_LEVEL_HEADER, mean_sd, statistics_lines, t_interval_cell,
                                      two_level_cell)
from ftlib.hf.data import read_jsonl
from ftlib.peft.plots import plot_accuracy_vs_params
from ftlib.core.studies import for_scale_cell
from ftlib.core.tables import markdown_table
from ftlib.core.verdict import FOR_SCALE, judge, verdict_text
from ftlib.core.textio import write_text_atomic, write_tsv

RUN_COLUMNS = ["method", "kind", "seed", "best_epoch", "best_valid_accuracy", "test_accuracy",
               "trainable_params", "total_params", "wall_seconds", "wall_seconds_per_epoch", "peak_rss_mb",
               "training_rss_increase_mb", "device", "precision"]


def summarise(method, runs):
    """One method's row: its counts, and its seeds' test accuracy (sample std, t-interval)."""
    def mean(key):
        return sum(r[key] for r in runs) / len(runs)

    first = runs[0]
    return {"method": method, "kind": first["kind"], "trainable": first["trainable_params"],
            "total": first["total_params"], **group_summary([r["test_accuracy"] for r in runs]),
            "valid": mean("best_valid_accuracy"), "epoch_s": mean("wall_seconds_per_epoch"),
            "rss": max(r["peak_rss_mb"] for r in runs),
            "train_mb": max(r["training_rss_increase_mb"] for r in runs), "hp": first["hp"]}


FOR_SCALE_TEXT = ("the published accuracies of the preset studies (config/presets/) for the methods of "
                  "the same kind (bitfit, lora, adapter, prompt, full), as `model: task value`: other models "
                  "and tasks, shown for scale, with no verdict (a study this run reproduces has its own "
                  "section, with verdicts).")


# An opinion said by negation ("L'intrigue n'est pas ennuyeux."): what the demo's masked LM never
# saw, so what fine-tuning itself must learn (the real reviews have their own).
NEGATED_OPINION = re.compile(r"n'est pas \w+[.,!]")


def negation_lines(runs: list[dict], methods: list[str], predictions: dict, test_jsonl, labels,
                   task: str) -> list[str]:
    """Test accuracy of each method on the reviews with a negated opinion and on the others,
    from the best-valid epoch's predictions (predictions.tsv: one row per test line, in order):
    where the smaller methods lose what they lose."""
    texts, _ = read_jsonl(test_jsonl, labels)
    texts = [" ".join(t) if isinstance(t, tuple) else t for t in texts]  # a pair: both texts
    negated = [bool(NEGATED_OPINION.search(t)) for t in texts]
    n_neg = sum(negated)
    if n_neg in (0, len(texts)):
        return []
    lines = ["", "## Where the accuracy goes: reviews with a negated opinion", "",
             f"Test accuracy (mean over seeds) on the {n_neg} test reviews that say an opinion by "
             f"negation (`n'est pas <word>.`) and on the other {len(texts) - n_neg}."
             + (" The demo's masked LM never saw a negation: the pretrained features alone cannot "
                "handle them, so this column measures what each method learns beyond them."
                if task == "demo" else ""), ""]
    rows = []
    for method in methods:
        accs = {True: [], False: []}
        for run in (r for r in runs if r["method"] == method):
            table = predictions["peft", method, run["seed"]]
            for flag in (True, False):
                pairs = [(p, g) for p, g, n in zip(table.predicted, table.gold, negated) if n == flag]
                accs[flag].append(100.0 * sum(p == g for p, g in pairs) / len(pairs))
        with_neg, without = (sum(accs[f]) / len(accs[f]) for f in (True, False))
        rows.append([method, f"{with_neg:.1f}", f"{without:.1f}", f"{with_neg - without:+.1f}"])
    return lines + markdown_table(["method", "with a negated opinion", "without", "difference"], rows)


def study_lines(study: dict, task: str, summary: list[dict], runs: list[dict], predictions, accounting,
                settings: dict) -> list[str]:
    """The published study this run reproduces (peft.study, config/presets/): its accuracies on
    this task beside this run's, with the same intervals and a verdict (ftlib.core.verdict:
    the published number taken as exact), and its counts beside this run's model's."""
    if not study:
        return []
    lines = ["", f"## The study: {study['name']}", "", f"Source: {study['source']}. Its numbers are "
             f"{study['metric']}; this run's are test accuracy at the best-valid epoch (for GLUE tasks "
             "test is GLUE's validation split, the one the studies report: the task sheet's description "
             "says so) with their two intervals, and the difference to the published number. The study "
             "gives one number per row, no spread and no n: the verdict takes it as exact and tests this "
             "run's seeds against it (one-sample t tests).", "", verdict_text(settings), ""]
    by_method = {s["method"]: s for s in summary}
    rows = []
    for row in study.get("accuracy", []):  # every row; this run's numbers beside this task's
        s = by_method.get(row["method"]) if row["task"] == task else None
        if s is None:
            elsewhere = ("not run" if row["task"] == task else f"reports/{row['task']}/peft_report.md"
                         if row["task"] in snakemake.params.run_tasks else "task not in this run")
            rows.append([row["task"], row["method"], f"{row['value']:.1f}", elsewhere, "", "", "", ""])
            continue
        mine = [r for r in runs if r["method"] == row["method"]]
        tables = [predictions["peft", row["method"], r["seed"]] for r in mine]
        rows.append([row["task"], row["method"], f"{row['value']:.1f}", mean_sd(s), t_interval_cell(s),
                     two_level_cell(tables), f"{s['mean'] - row['value']:+.1f}",
                     judge([r["test_accuracy"] for r in mine], row["value"], settings)])
    lines += markdown_table(["task", "method", "published", f"this run ({task})", T_HEADER, TWO_LEVEL_HEADER,
                             "this run − published", "verdict"], rows)
    if accounting.get("study_counts"):
        lines += ["", f"Trainable parameters: the study's counts beside those of the model this run built "
                  f"({accounting['model']}, counted on the meta device; a classifier here, so `trainable` "
                  "and `total` include its head where the study's model had none).", ""]
        lines += markdown_table(["method", "counted", "published", "this run's model", "difference"],
                                [[c["method"], c["what"], f"{c['value']:,}", f"{c['counted']:,}",
                                  f"{c['difference']:+,}"] for c in accounting["study_counts"]])
    return lines


def check_counts(runs: list[dict], rows: dict) -> None:
    """The trained model's own count of every run must be the meta-device/formula count."""
    for run in runs:
        expected = rows[run["method"]]["formula_trainable"]
        if run["trainable_params"] != expected:
            raise RuntimeError(f"{run['method']} seed {run['seed']}: trained {run['trainable_params']:,} "
                               f"parameters, the formula says {expected:,}")


def intro_lines(task: dict, model: str, seeds: list, runs: list[dict]) -> list[str]:
    epochs = sorted({r["hp"]["max_epoch"] for r in runs})
    lines = [f"# Parameter-efficient fine-tuning report ({task['name']}, {model})", "",
             f"Task `{task['name']}` ({task['mode']} mode): {task['description']}.", "",
             f"Model `{model}` (config `peft.model`; the model sheet config/models.yaml).", ""]
    if task["name"] == "demo":  # the demo corpus's design, said where it applies
        lines += ["These numbers come from the offline demo (synthetic reviews, the tiny RoBERTa "
                  f"pretrained here) with seeds {seeds} and {', '.join(map(str, epochs))} epoch(s) per run "
                  "(config peft.demo, where the budget and the learning rates of the PEFT methods are explained; the "
                  "real recipe: seeds 0, 1, 2, 5 epochs of 2,000 reviews). The demo encoder's "
                  "frozen features already separate most reviews (the fairseq report's probe), but 30 % of "
                  "the labelled opinions are negations, which its masked LM never saw: a method must change "
                  "what the encoder computes to read them, and the methods that can change it least "
                  "fall behind (the section on negated opinions below measures it). The studies' "
                  "published accuracies in the summary are other models and tasks, shown for scale only.", ""]
    return lines


def summary_lines(summary: list[dict], runs: list[dict], predictions, seeds: list, head: int, plot,
                  studies: list[dict], own_study: str) -> list[str]:
    lines = ["## Summary", "",
             f"Test accuracy at the best-valid epoch over seeds {seeds}: mean ± sample std (ddof=1) and "
             "two 95 % intervals of the mean (what each counts: the note of the groups table below). "
             "Trainable parameters include the classification head, which every method trains "
             f"(it is new for the task; {head:,} parameters here). Time per epoch = training wall "
             "time / epochs (each epoch includes its valid and test evaluation); peak RSS = the training process's "
             "high-water mark over all its epochs (largest over seeds), mostly the libraries themselves; "
             "training adds = peak RSS while training minus RSS before it (activations, gradients, "
             "optimizer state), sampled every 20 ms. Last column: " + FOR_SCALE_TEXT, ""]
    rows = []
    for s in summary:
        tables = [predictions["peft", s["method"], r["seed"]] for r in runs if r["method"] == s["method"]]
        refs = for_scale_cell(studies, s["kind"], exclude=own_study)
        rows.append([s["method"], f"{s['trainable']:,}", f"{s['trainable'] - head:,}",
                     f"{100 * s['trainable'] / s['total']:.3f} %",
                     mean_sd(s), t_interval_cell(s),
                     two_level_cell(tables),
                     f"{s['valid']:.1f}", f"{s['epoch_s']:.1f}", f"{s['rss']:.0f}", f"{s['train_mb']:.0f}", refs])
    lines += markdown_table(["method", "trainable params", "without the head", "share of total", "test acc.",
                             T_HEADER, TWO_LEVEL_HEADER, "best valid acc.", "s / epoch", "peak RSS (MB)",
                             "training adds (MB)", f"other studies ({FOR_SCALE})"], rows)
    return lines + ["", f"![test accuracy against trainable parameters]({Path(plot).name})"]


def per_seed_lines(runs: list[dict]) -> list[str]:
    lines = ["", "## Per-seed runs", ""]
    return lines + markdown_table(
        ["method", "seed", "best epoch", "valid acc.", "test acc.", "wall (s)", "peak RSS (MB)"],
        [[r["method"], r["seed"], r["best_epoch"], f"{r['best_valid_accuracy']:.1f}", f"{r['test_accuracy']:.1f}",
          f"{r['wall_seconds']:.1f}", f"{r['peak_rss_mb']:.0f}"] for r in runs])


def hyperparameter_lines(summary: list[dict], specs: dict) -> list[str]:
    lines = ["", "## Hyperparameters", "",
             "The mode's `finetune` block with the overrides of `peft.<mode>.hp` (`all`, then the "
             "method's). A soft prompt takes positions of the position table, so its inputs are "
             "truncated to max_positions minus the virtual tokens.", ""]
    rows = []
    for s in summary:
        hp, spec = s["hp"], specs[s["method"]]
        what = ", ".join(f"{k}={v}" for k, v in spec.items())
        rows.append([s["method"], what, f"{hp['lr']:g}", hp["batch_size"], hp["max_epoch"],
                     f"{hp['weight_decay']:g}", hp["max_positions"]])
    return lines + markdown_table(["method", "what trains", "lr", "batch", "epochs", "weight decay", "max positions"],
                                  rows)


def accounting_lines(accounting: dict) -> list[str]:
    lines = ["", "## Exact parameter accounting", "",
             "Every count is taken on a model built on the meta device (no weights) from the "
             "configuration in config.yaml (`peft.architectures`) and must equal its closed form; "
             "the published counts are reproduced exactly.", ""]
    rows = []
    for row in accounting["published"]:
        what = row["compared"]
        pub = f"{row['published']:,}" if row["published_source"] else f"({row['published']:,}: peft, see below)"
        rows.append([row["arch"], row["method"], what, f"{row[f'counted_{what}']:,}",
                     f"{row['formula']} = {row[f'formula_{what}']:,}", pub])
    lines += markdown_table(["model", "method", "compared", "counted", "closed form", "published"], rows)
    lines += ["", "The reference's soft prompt on t5-small (+5,120 = 10 × 512) is one prompt in front "
              "of the encoder input. peft's prompt tuning on a seq2seq model prompts both transformer "
              "stacks (num_transformer_submodules = 2: an encoder and a decoder prompt), hence +10,240 "
              "= 2 × 10 × 512; with num_transformer_submodules = 1 it adds the reference's 5,120.", ""]
    for label, arch in accounting["models"].items():
        shape = (f"{arch['family']}, L={arch['num_layers']}, D={arch['hidden_size']}, F={arch['intermediate_size']}, "
                 f"H={arch['num_heads']}, V={arch['vocab_size']}"
                 + (f", positions {arch['max_position_embeddings']}" if "max_position_embeddings" in arch else ""))
        name = f"this run's model, {accounting['model']}" if label == "this run's model" else label
        lines += [f"### {name} ({shape})", ""]
        lines += markdown_table(
            ["method", "added to the model", "trainable (counted = formula)", "closed form", "total", "share"],
            [[row["method"], f"{row['counted_added']:,}", f"{row['counted_trainable']:,}", row["formula"],
              f"{row['counted_total']:,}", f"{100 * row['counted_trainable'] / row['counted_total']:.3f} %"]
             for row in accounting["methods"][label]])
        lines.append("")
    return lines


def main():
    task, model = snakemake.params.task, snakemake.params.model
    methods, seeds = list(snakemake.params.methods), list(snakemake.params.seeds)
    table = read_runs(snakemake.input.runs)
    predictions = read_predictions(table)
    runs = [as_run(row, method="run") for _, row in table.iterrows()]
    runs.sort(key=lambda r: (methods.index(r["method"]), r["seed"]))
    accounting = json.loads(Path(snakemake.input.parameters).read_text())
    check_counts(runs, {row["method"]: row for row in accounting["methods"]["this run's model"]})
    head = accounting["heads"]["this run's model"]

    summary = [summarise(m, [r for r in runs if r["method"] == m]) for m in methods]
    write_tsv(snakemake.output.table, RUN_COLUMNS, runs)
    plot_accuracy_vs_params(summary, snakemake.output.plot,
                            f"PEFT methods on {task['name']} ({len(seeds)} seed(s); bars: sample std)")

    lines = intro_lines(task, model, seeds, runs)
    study, settings = snakemake.params.study, snakemake.params.verdict
    lines += summary_lines(summary, runs, predictions, seeds, head, snakemake.output.plot,
                           snakemake.params.studies, study.get("name", ""))
    lines += failed_run_lines(runs, methods, len(snakemake.params.labels))
    lines += study_lines(study, task["name"], summary, runs, predictions, accounting, settings)
    # a study without full fine-tuning (the bert-base preset) has the groups' statistics, no baseline
    lines += ["", "## What each method loses against full fine-tuning" if "full" in methods
              else "## Each method's seeds (no full fine-tuning in this study to compare with)", ""]
    lines += statistics_lines(table, predictions, [(f"{m} vs full", ("peft", m), ("peft", "full"))
                                                   for m in methods if m != "full" and "full" in methods],
                              heading="###")
    lines += negation_lines(runs, methods, predictions, snakemake.input.test, snakemake.params.labels, task["name"])
    lines += per_seed_lines(runs)
    lines += hyperparameter_lines(summary, snakemake.params.specs)
    lines += accounting_lines(accounting)
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
