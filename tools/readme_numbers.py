"""Rewrite the README's table of demo numbers from the generated reports (`make readme-numbers`).

The numbers a reader sees in the README are the ones the last full demo run wrote under
reports/demo/ (never typed by hand): the fairseq runs, the frozen-feature probe and the probe
along the masked-LM pretraining, the PEFT runs and the BLOOM answers. The table stands between
the two marker lines below; everything else in the README is left as it is.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from ftlib.core.failed_runs import MARGIN, is_failed
from ftlib.core.metrics import format_mean_std
from ftlib.core.stats import compare_seeds, format_interval, group_summary
from ftlib.core.tables import markdown_table

BEGIN = "<!-- demo-numbers: begin (make readme-numbers writes this table from reports/demo/) -->"
END = "<!-- demo-numbers: end -->"


def seeds_cell(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values) + f" ({format_mean_std(list(values))})"


def fairseq_rows(reports: Path) -> list[list[str]]:
    runs = pd.read_csv(reports / "fairseq_runs.tsv", sep="\t").sort_values(["init", "seed"])
    acc = {init: runs.loc[runs["init"] == init, "test_accuracy"].tolist() for init in ("pretrained", "scratch")}
    d = compare_seeds(acc["pretrained"], acc["scratch"])
    return [[f"fairseq, pretrained (test acc., seeds {', '.join(map(str, sorted(set(runs['seed']))))})",
             seeds_cell(acc["pretrained"])],
            ["fairseq, scratch", seeds_cell(acc["scratch"])],
            ["pretrained − scratch (95 % Welch interval)",
             f"{d['difference']:+.1f} {format_interval(d['low'], d['high'])}, "
             f"pretrained ahead in {d['wins']} of {d['pairs']} seeds"]]


def probe_rows(reports: Path) -> list[list[str]]:
    probe = json.loads((reports / "probe.json").read_text())["probes"]
    curve = json.loads((reports / "mlm_probe_curve.json").read_text())
    points = "; ".join(f"{p['updates']}: {p['probe_mean']:.0f} % / {p['fill_mask_agreement']:.2f}"
                       for p in curve["points"])
    return [["frozen-feature probe (mean-pooled), pretrained vs random encoder",
             f"{probe['pretrained_mean']['accuracy']:.1f} vs {probe['random_mean']['accuracy']:.1f}"],
            ["probe / fill-mask agreement along the masked-LM pretraining (updates: …)", points]]


def peft_rows(reports: Path) -> list[list[str]]:
    runs = pd.read_csv(reports / "peft_runs.tsv", sep="\t")
    summary = runs.groupby("method", sort=False).agg(
        mean=("test_accuracy", "mean"), trainable=("trainable_params", "first"), seeds=("seed", "count"))
    cells = [f"{method} {row['mean']:.1f} ({int(row['trainable']):,})" for method, row in summary.iterrows()]
    failed = [f"{r.method} seed {r.seed}" for r in runs.itertuples() if is_failed(r.best_valid_accuracy, 2)]
    return [[f"PEFT, mean test acc. over {summary['seeds'].max()} seeds (trainable parameters)", "; ".join(cells)],
            [f"PEFT runs failed (best valid within {MARGIN:g} points of chance)",
             f"{len(failed)} of {len(runs)}" + (f": {', '.join(failed)}" if failed else "")]]


def variance_rows(reports: Path) -> list[list[str]]:
    """The variance study's spread per source (std over its seeds, share of the summed
    variances), from its runs (`snakemake variance`, not part of `all`): no row without them."""
    runs = sorted((reports.parent.parent / "runs" / reports.name / "hf_variance").glob("*/*/seed*/metrics.json"))
    found = {}
    for path in runs:
        init, source = path.parts[-4], path.parts[-3]
        found.setdefault(init, {}).setdefault(source, []).append(json.loads(path.read_text())["test_accuracy"])
    rows = []
    for init, sources in found.items():
        stds = {source: group_summary(sources[source])["std"]
                for source in sorted(sources, key=("init", "data_order", "dropout").index)}
        total = sum(v ** 2 for v in stds.values())
        cells = [f"{source.replace('_', ' ')} {std:.2f} ({100 * std ** 2 / total:.0f} %)" for source, std in stds.items()]
        n = max(len(accs) for accs in sources.values())
        rows.append([f"HF variance by source, {init}: test acc. std over {n} seeds (share)", "; ".join(cells)])
    return rows


def bloom_rows(reports: Path) -> list[list[str]]:
    answers = pd.read_csv(reports / "bloom_answers.tsv", sep="\t", keep_default_na=False)
    n = len(answers)
    eos = {stage: int((answers[f"{stage}_eos"].astype(str) == "True").sum()) for stage in ("before", "after")}
    return [["BLOOM demo, held-out answers ending with EOS, before → after tuning",
             f"{eos['before']}/{n} → {eos['after']}/{n}"],
            ["BLOOM demo, distinct answers after tuning; mean token F1 before → after",
             f"{answers['after'].nunique()}/{n}; {answers['before_f1'].mean():.3f} → {answers['after_f1'].mean():.3f}"]]


def table(reports: Path) -> str:
    rows = (fairseq_rows(reports) + probe_rows(reports) + variance_rows(reports) + peft_rows(reports)
            + bloom_rows(reports))
    return "\n".join([BEGIN, *markdown_table(["the full demo (`make run`)", "this workflow"], rows), END])


def rewrite(readme: Path, reports: Path) -> None:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"ERROR: {readme}: no '{BEGIN}' ... '{END}' block to rewrite")
    missing = [name for name in ("fairseq_runs.tsv", "probe.json", "mlm_probe_curve.json", "peft_runs.tsv",
                                 "bloom_answers.tsv") if not (reports / name).is_file()]
    if missing:
        sys.exit(f"ERROR: {reports}/{missing[0]}: missing; run the full demo first (make run)")
    head, rest = text.split(BEGIN, 1)
    readme.write_text(head + table(reports) + rest.split(END, 1)[1])
    print(f"{readme}: demo numbers rewritten from {reports}/")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    rewrite(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "README.md",
            Path(sys.argv[2]) if len(sys.argv) > 2 else root / "reports/demo")
