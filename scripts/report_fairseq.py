"""Snakemake script: the fairseq report (per-seed and summary tables, plot, parameters)."""
import json
from pathlib import Path

from ftlib.errors import run_step
from ftlib.metrics import format_mean_std
from ftlib.plots import plot_valid_accuracy
from ftlib.reference import FAIRSEQ_REFERENCE
from ftlib.textio import write_text_atomic, write_tsv

RUN_COLUMNS = ["init", "seed", "best_epoch", "best_valid_accuracy", "test_accuracy",
               "total_updates", "warmup_updates", "wall_seconds"]


def read_benchmark(path) -> dict:
    """Snakemake's benchmark TSV: wall seconds (s), peak RSS in MB (max_rss), cpu_time (s)."""
    header, values = Path(path).read_text().splitlines()[:2]
    row = dict(zip(header.split("\t"), values.split("\t")))
    as_float = lambda key: float(row[key]) if row.get(key, "NA") not in ("NA", "-", "") else float("nan")  # noqa: E731
    return {"wall_s": as_float("s"), "max_rss_mb": as_float("max_rss"), "cpu_s": as_float("cpu_time")}


def main():
    mode = snakemake.wildcards.mode
    runs = [json.loads(Path(p).read_text()) for p in snakemake.input.metrics]
    runs.sort(key=lambda r: (snakemake.params.inits.index(r["init"]), r["seed"]))
    params = json.loads(Path(snakemake.input.parameters).read_text())["encoders"]

    write_tsv(snakemake.output.table, RUN_COLUMNS, runs)
    plot_valid_accuracy(runs, snakemake.output.plot, f"fairseq {runs[0]['arch']} on the {mode} data")

    lines = [f"# fairseq fine-tuning report ({mode} inputs)", ""]
    if mode == "demo":
        lines += ["These numbers come from the offline demo (synthetic reviews, a tiny RoBERTa "
                  "pretrained here); the reference rows are the published real-data results and "
                  "are shown for layout only, not for comparison.", ""]
    lines += ["## Per-seed results", "",
              "Test accuracy is read at the epoch with the best valid accuracy (ties: the later "
              "epoch, the one fairseq keeps as checkpoint_best.pt).", "",
              "| init | seed | best epoch | valid acc. | test acc. | updates (warmup) | wall (s) |",
              "|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['init']} | {r['seed']} | {r['best_epoch']} | {r['best_valid_accuracy']:.1f} | "
                     f"{r['test_accuracy']:.1f} | {r['total_updates']} ({r['warmup_updates']}) | {r['wall_seconds']:.0f} |")
    lines += ["", "## Summary (test accuracy, mean ± population std over seeds)", "",
              "| init | seeds | this run | reference A | reference B |", "|---|---|---|---|---|"]
    for init in snakemake.params.inits:
        accs = [r["test_accuracy"] for r in runs if r["init"] == init]
        ref = FAIRSEQ_REFERENCE[init]
        lines.append(f"| {init} | {len(accs)} | {format_mean_std(accs)} | "
                     f"{format_mean_std(ref['report A'])} | {format_mean_std(ref['report B'])} |")
    lines += ["", f"![valid accuracy per epoch]({Path(snakemake.output.plot).name})", "",
              "## Parameter accounting (encoder, no LM or classification head)", "",
              "Formula: L(4D² + 2DF + 9D + F) + VD + D(T+2) + 2D; for roberta_small (L=4, F=D) "
              "this is the course's 24D² + DV + D(T+2) + 42D.", "",
              "| arch | L | D | F | V | T | counted | formula | weights only (counted = formula) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for p in params:
        lines.append(f"| {p['arch']} | {p['layers']} | {p['dim']} | {p['ffn']} | {p['vocab']} | {p['positions']} | "
                     f"{p['counted']:,} | {p['formula']:,} | {p['counted_weights_only']:,} |")
    lines += ["", "## Cost of each run (Snakemake benchmark)", "",
              "| run | wall (s) | peak RSS (MB) | CPU time (s) | threads |", "|---|---|---|---|---|"]
    for path in snakemake.input.benchmarks:
        bench = read_benchmark(path)
        lines.append(f"| {Path(path).stem} | {bench['wall_s']:.0f} | {bench['max_rss_mb']:.0f} | "
                     f"{bench['cpu_s']:.0f} | {runs[0]['threads']} |")
    hp = runs[0]
    lines += ["", "## Runs", "", f"Architecture `{hp['arch']}`, {hp['n_train']} training reviews, "
              f"{hp['total_updates']} updates with {hp['warmup_updates']} warmup updates "
              f"(polynomial decay), {hp['threads']} thread(s) per run.", ""]
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
