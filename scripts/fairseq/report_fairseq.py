"""Snakemake script: the fairseq report (per-seed and summary tables, statistics, plot, parameters),
from the branch's runs table (reports/<task>/runs/fairseq.csv) and its runs' predictions."""
import json
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.plots import plot_valid_accuracy
from ftlib.core.reference import reference_summary_lines, task_intro
from ftlib.core.runs_table import as_run, read_predictions, read_runs
from ftlib.core.stats import format_interval
from ftlib.core.stats_report import statistics_lines
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic, write_tsv

RUN_COLUMNS = ["init", "seed", "best_epoch", "best_valid_accuracy", "test_accuracy",
               "total_updates", "warmup_updates", "wall_seconds", "device", "precision"]


def read_benchmark(path) -> dict:
    """Snakemake's benchmark TSV: wall seconds (s) and peak RSS in MB (max_rss). Not its cpu_time:
    that keeps each process's CPU time at its last sample (every 0.5 s for the first ~15 s, then
    every 30 s), so fairseq-train's time after that is lost (~10 s shown for a 47-s one-thread run)."""
    header, values = Path(path).read_text().splitlines()[:2]
    row = dict(zip(header.split("\t"), values.split("\t")))
    as_float = lambda key: float(row[key]) if row.get(key, "NA") not in ("NA", "-", "") else float("nan")  # noqa: E731
    return {"wall_s": as_float("s"), "max_rss_mb": as_float("max_rss")}


def difference_lines(table, predictions: dict, inits: list[str]) -> list[str]:
    """Pretrained vs scratch: the seeds' groups, Welch's difference and the paired tests per seed."""
    if not {"pretrained", "scratch"} <= set(inits):
        return []
    comparison = [("pretrained vs scratch", ("fairseq", "pretrained"), ("fairseq", "scratch"))]
    return (["", "## Does pretraining help?", ""]
            + statistics_lines(table, predictions, comparison, heading="###")
            + ["", "With a few seeds the Welch interval is wide (t with n − 1 to 2n − 2 degrees of freedom "
               "for n seeds per init); the seed pairs share the seed, not the run, so that comparison is "
               "unpaired. The paired tests compare the two runs of one seed on the same test reviews."])


def probe_lines(probe: dict, curve: dict | None) -> list[str]:
    """Why: a logistic-regression probe on the frozen encoder, before any fine-tuning."""
    rows = probe["probes"]

    def probe_cell(key):
        return f"{rows[key]['accuracy']:.1f} {format_interval(*rows[key]['ci95'])}"

    lines = ["", "## Why: what the checkpoint knows before fine-tuning (frozen-feature probe)", "",
             f"A logistic regression on the frozen encoder's final-layer features, trained on the "
             f"{probe['n_train']} labelled train reviews and tested on the {probe['n_test']} test reviews; "
             "the encoder is not updated, so the probe measures what pretraining alone put in the "
             "features. The random encoder has the checkpoint's shape and fairseq's initialisation "
             "(where the scratch runs start).", ""]
    lines += markdown_table(
        ["encoder", "mean-pooled: test acc. (95 % CI)", "`<s>` output: test acc. (95 % CI)"],
        [[name, probe_cell(f"{name}_mean"), probe_cell(f"{name}_first")] for name in ("pretrained", "random")])
    d = probe["difference_mean"]
    lines += ["", f"Pretrained − random (mean-pooled): **{d['points']:+.1f} points** "
                  f"(exact McNemar test on the same test reviews: p = {d['mcnemar_p']:.2g}). The CI is the "
                  "exact binomial interval of one accuracy on this test set."]
    if curve is not None:
        lines += ["", "### Along the demo's masked-LM pretraining", "",
                  "The same probe on the checkpoints saved during pretraining, with the fill-mask agreement "
                  "(in \"X est w1. Y est <mask>. Z est w2.\" with w1, w2 of one polarity: the probability of "
                  "that polarity among the opinion words at the mask; 0.50 = not learned).", ""]
        points = [["0 (random init)", f"{curve['random_probe_mean']:.1f}", f"{curve['random_probe_first']:.1f}", "—"]]
        points += [[p["updates"], f"{p['probe_mean']:.1f}", f"{p['probe_first']:.1f}", f"{p['fill_mask_agreement']:.2f}"]
                   for p in curve["points"]]
        lines += markdown_table(["masked-LM updates", "probe (mean-pooled)", "probe (`<s>`)", "fill-mask agreement"],
                                points)
        lines += ["", "![probe along pretraining](mlm_probe_curve.png)"]
    return lines


def error_kind_lines(predictions: dict, inits: list[str], review_file, label_file, corpus: dict) -> list[str]:
    """The demo: each init's test accuracy on each kind of test review (ftlib.data.demo_reviews.
    review_kind), pooled over seeds, and how many reviews of the kind its seeds disagree on."""
    from ftlib.data.demo_reviews import REVIEW_KINDS, DemoCorpusSpec, review_kind

    lexicon = DemoCorpusSpec(**corpus).lexicon
    reviews, labels = (Path(path).read_text(encoding="utf-8").splitlines() for path in (review_file, label_file))
    kinds = [review_kind(r, label, lexicon) for r, label in zip(reviews, labels)]
    rows = []
    for kind in REVIEW_KINDS:
        at = [i for i, k in enumerate(kinds) if k == kind]
        row = [kind, len(at)]
        for init in inits:
            runs = [p for (_, run, _), p in predictions.items() if run == init]
            right = [(p["predicted"].iloc[at] == p["gold"].iloc[at]).to_numpy() for p in runs]
            disagree = sum(len({p["predicted"].iat[i] for p in runs}) > 1 for i in at)
            row += [f"{100 * sum(r.sum() for r in right) / max(1, len(at) * len(runs)):.1f}", disagree]
        rows.append(row)
    header = ["test review", "reviews"] + [c for init in inits for c in (f"{init}: acc.", f"{init}: seeds disagree")]
    return (["", "## Where the errors are: the demo's test reviews by kind", "",
             f"Plain reviews state every opinion with the review's polarity; mixed ones ({100 * corpus['mixed_share']:.0f} % "
             "of the labelled reviews are drawn so) state a minority of opinions the other way, the label being the "
             f"majority's; label noise ({100 * corpus['label_noise']:.0f} % of the labels flipped) is a label against the "
             "majority of the review's opinions, which no model should match. Accuracy pooled over seeds; "
             "\"seeds disagree\": reviews that not every seed of the init labels alike.", ""]
            + markdown_table(header, rows))


def placements(runs) -> str:
    """Where the runs trained: one entry per (device, its name, precision) among them."""
    return "; ".join(sorted({f"{r['device']} ({r['device_name']}, {r['precision']})" for r in runs}))


def main():
    task = snakemake.params.task
    table = read_runs(snakemake.input.runs)
    runs = [as_run(row, init="run", arch="hp.arch") for _, row in table.iterrows()]
    runs.sort(key=lambda r: (snakemake.params.inits.index(r["init"]), r["seed"]))
    params = json.loads(Path(snakemake.input.parameters).read_text())["encoders"]

    write_tsv(snakemake.output.table, RUN_COLUMNS, runs)
    plot_valid_accuracy(runs, snakemake.output.plot, f"fairseq {runs[0]['arch']} on {task['name']}")

    lines = [f"# fairseq fine-tuning report ({task['name']})", ""] + task_intro(task)
    if task["name"] == "demo":  # the demo corpus's design, said where it applies
        lines += ["These numbers come from the offline demo: synthetic reviews and a tiny RoBERTa "
                  "pretrained here as a masked LM on unlabelled reviews. The labelled train split sees only "
                  "half of the opinion words, valid and test mostly the other half, and 30 % of the labelled "
                  "opinions are negations the unlabelled text never has: a miniature of the real experiment, "
                  "where a small labelled set covers little of the vocabulary.", ""]
    lines += ["## Per-seed results", "",
              "Test accuracy is read at the epoch with the best valid accuracy (ties: the later "
              "epoch, the one fairseq keeps as checkpoint_best.pt).", ""]
    lines += markdown_table(
        ["init", "seed", "best epoch", "valid acc.", "test acc.", "updates (warmup)", "wall (s)"],
        [[r["init"], r["seed"], r["best_epoch"], f"{r['best_valid_accuracy']:.1f}", f"{r['test_accuracy']:.1f}",
          f"{r['total_updates']} ({r['warmup_updates']})", f"{r['wall_seconds']:.0f}"] for r in runs])
    groups = [([init], "fairseq", init, [r["test_accuracy"] for r in runs if r["init"] == init])
              for init in snakemake.params.inits]
    lines += reference_summary_lines(task, groups, ["init"], snakemake.params.verdict, branch="fairseq")
    predictions = read_predictions(table)  # every run's predictions.tsv, for the tests and the error kinds
    lines += difference_lines(table, predictions, snakemake.params.inits)
    if "demo_test_reviews" in snakemake.input.keys():
        lines += error_kind_lines(predictions, snakemake.params.inits, snakemake.input.demo_test_reviews,
                                  snakemake.input.demo_test_labels, snakemake.params.demo_corpus)
    lines += probe_lines(json.loads(Path(snakemake.input.probe).read_text()),
                         json.loads(Path(snakemake.input.probe_curve).read_text())
                         if "probe_curve" in snakemake.input.keys() else None)
    lines += ["", f"![valid accuracy per epoch]({Path(snakemake.output.plot).name})", "",
              "## Parameter accounting (encoder, no LM or classification head)", "",
              "Formula: L(4D² + 2DF + 9D + F) + VD + D(T+2) + 2D; for roberta_small (L=4, F=D) "
              "this is the course's 24D² + DV + D(T+2) + 42D.", ""]
    lines += markdown_table(
        ["arch", "L", "D", "F", "V", "T", "counted", "formula", "weights only (counted = formula)"],
        [[p["arch"], p["layers"], p["dim"], p["ffn"], p["vocab"], p["positions"],
          f"{p['counted']:,}", f"{p['formula']:,}", f"{p['counted_weights_only']:,}"] for p in params])
    costs = []
    for path in snakemake.input.benchmarks:
        bench = read_benchmark(path)
        costs.append([Path(path).stem, f"{bench['wall_s']:.0f}", f"{bench['max_rss_mb']:.0f}", runs[0]["threads"]])
    lines += ["", "## Cost of each run (Snakemake benchmark)", "",
              "Peak RSS is the largest of Snakemake's samples of the job's processes (every 0.5 s for "
              "the first ~15 s, then every 30 s). No CPU time: Snakemake's benchmark keeps each process's "
              "CPU time as of its last sample, so it misses most of fairseq-train's (a child process).", ""]
    lines += markdown_table(["run", "wall (s)", "peak RSS (MB)", "threads"], costs)
    hp = runs[0]
    lines += ["", "## Runs", "", f"Architecture `{hp['arch']}`, {hp['n_train']} training reviews, "
              f"{hp['total_updates']} updates with {hp['warmup_updates']} warmup updates "
              f"(polynomial decay), {hp['threads']} thread(s) per run, on {placements(runs)}.", ""]
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
