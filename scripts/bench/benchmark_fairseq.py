"""Snakemake script (target `bench`): a real-size seed measured against the machine's floor.

Measures, in one run on this machine: (a) fp32 GEMM rate at the model's shapes; (b) the
FLOP count of a seed from the workload's token lengths; (c) stock fairseq-train (the lab's
flags, torch's dropout masks), each lever alone and (d) the tuned settings over one whole epoch, and
the tuned settings with torch's masks where the config draws them from the stream; test and valid evaluation
with fairseq-validate; (e) the HF model on the same batches; the optimizer's share of an
update; (f) the thread layout (ftlib.bench.layout). Writes benchmarks/benchmark_fairseq.md (the
first sections of reports/benchmark.md, which benchmark_experiment completes) and
benchmarks/benchmark.json (with the workload's lengths, which benchmark_experiment reuses).
"""
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ftlib.accounting.fairseq_encoder import arch_args, build_encoder
from ftlib.bench.layout import layout_summary
from ftlib.bench.measure import run_measured, run_together, update_seconds
from ftlib.bench.steps import gemm_gflops, length_grouped_batches, roberta_classifier, sample, train_step_seconds
from ftlib.core.device import MASKS_ENV, resolve
from ftlib.core.errors import run_step
from ftlib.core.proc import find_executable
from ftlib.core.recipe import Recipe
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_json, write_lines, write_text_atomic
from ftlib.fairseq.bench_workload import WorkloadSpec, write_workload
from ftlib.fairseq.commands import finetune_command, preprocess_command, validate_command
from ftlib.fairseq.flops import forward_flops, seed_flops, train_flops


def seconds_per_update(log_text: str, expected: int) -> float:
    """Mean of fairseq's per-update times over a whole epoch: every batch timed once, since batch
    widths vary too widely for a sample of updates (the first update has no time)."""
    times = update_seconds(log_text)
    if len(times) != expected - 1:
        raise RuntimeError(f"{len(times) + 1} train_inner lines, expected one per update ({expected})")
    return statistics.mean(times)


def epoch_command(recipe: Recipe, data_bin, folder: Path, n_train: int, *extra: str) -> list[str]:
    """fairseq-train for one epoch of ``recipe``, every update logged, no validation (timed apart)."""
    cmd = finetune_command(recipe.replace(max_epoch=1, log_interval=1), data_bin, folder, folder / "tb", 1, n_train,
                           executable=find_executable("fairseq-train"))
    return [c for c in cmd if c != "--no-last-checkpoints"] + ["--disable-validation", *extra]


def one_thread_runs(recipe: Recipe, data_bin, tmp: Path, logs: Path, n_train: int, threads: int,
                    updates: int, masks: str) -> tuple[list[float], list[list[float]]]:
    """Per-update times of the tuned recipe's first ``updates`` updates with 1 thread alone, then
    of ``threads`` such 1-thread jobs side by side (for ftlib.bench.layout)."""
    cut = ["--max-update", str(updates), "--no-save"]
    env = {MASKS_ENV: masks}
    _, _, alone = run_measured(epoch_command(recipe, data_bin, tmp / "alone", n_train, *cut), logs / "layout_alone.log",
                               1, env)
    names = [f"beside{i}" for i in range(threads)]
    _, _, beside = run_together([epoch_command(recipe, data_bin, tmp / name, n_train, *cut) for name in names],
                                [logs / f"layout_{name}.log" for name in names], 1, env)
    print(f"benchmark: thread layout: {updates} updates at 1 thread alone and {threads} side by side", flush=True)
    return update_seconds(alone), [update_seconds(text) for text in beside]


def optimizer_step_ms(arch: str, vocab: int, threads: int) -> dict:
    """One optimizer step over the full model's parameters: fairseq's Adam vs fused AdamW."""
    from fairseq.optim.adam import Adam as FairseqAdamImpl

    torch.set_num_threads(threads)
    model = build_encoder(arch, vocab)
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    result = {"parameters": sum(p.numel() for p in params)}
    for name, opt in (("fairseq_adam", FairseqAdamImpl(params, lr=1e-5, weight_decay=0.01)),
                      ("adamw_fused", torch.optim.AdamW(params, lr=1e-5, weight_decay=0.01, fused=True))):
        opt.step()  # creates the state
        started = time.perf_counter()
        for _ in range(5):
            opt.step()
        result[name] = (time.perf_counter() - started) / 5 * 1000
    return result


def hf_update_seconds(lengths, batch_size, threads, layers, dim, ffn, heads, vocab, masks: str) -> float:
    """transformers' RobertaForSequenceClassification, same shapes, the HF branch's length-grouped
    batches of the same workload, fused AdamW, the HF jobs' dropout masks: its training step
    averaged over every batch of an epoch, in random order."""
    from ftlib.core.stream_dropout import install

    install(masks)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = roberta_classifier(layers, dim, ffn, heads, vocab)
    batches = length_grouped_batches(lengths, batch_size)
    return statistics.mean(train_step_seconds(model, lengths, sample(batches, len(batches)), vocab))


def layout_lines(layout: dict, threads: int) -> list[str]:
    """The thread-layout section: seeds per hour of one job with every thread against one
    1-thread job per core, measured on the same first updates of the tuned recipe."""
    per = layout["seconds_per_update"]
    rate = layout["seeds_per_hour"]
    better = "one 1-thread job per core" if layout["better"] == "one_job_per_core" else f"one {threads}-thread job"
    return [
        f"## Thread layout on {threads} cores", "",
        f"The tuned recipe's first {layout['updates_compared'] + 1} updates (the same batches in every run; the "
        "first update untimed), as one job with every thread, as one 1-thread job alone, and as "
        f"{threads} 1-thread jobs side by side. A seed's time scales with its update time.", "",
        *markdown_table(["layout", "s/update (per job)", "seeds per hour"],
                        [[f"one job, {threads} threads", f"{per['all_threads']:.3f}",
                          f"{rate['one_job_all_threads']:.1f}"],
                         ["one job, 1 thread, alone", f"{per['one_thread_alone']:.3f}", "—"],
                         [f"{threads} jobs, 1 thread each, side by side", f"{per['one_thread_beside']:.3f}",
                          f"{rate['one_job_per_core']:.1f}"]]), "",
        f"- {threads} threads make one job {layout['thread_scaling']:.2f}× as fast as 1 thread; a 1-thread job "
        f"takes {layout['contention']:.2f}× its time alone when the others run beside it (they share memory "
        "bandwidth and caches)",
        f"- better here: **{better}** ({max(rate.values()) / min(rate.values()):.2f}× the seeds per hour); "
        "`threads.train` sets the layout (`--cores N` runs N / threads.train jobs at once)", "",
    ]


def binarize(folder: Path, log: Path, threads: int) -> Path:
    """The workload in fairseq's GLUE layout: input0/ (reviews) and label/."""
    data_bin = folder / "bin"
    write_lines(folder / "labels.txt", ["0 1", "1 1"])
    for subdir, suffix, dictionary in (("input0", "tok", "dict.txt"), ("label", "label", "labels.txt")):
        prefixes = {split: folder / f"{split}.{suffix}" for split in ("train", "valid", "test")}
        run_measured(preprocess_command(prefixes, data_bin / subdir, threads, folder / dictionary,
                                        executable=find_executable("fairseq-preprocess")), log, threads)
    return data_bin


@dataclass(frozen=True)
class Setup:
    """What every step reads: the config's recipe, the model's shape and the workload."""

    cfg: dict
    threads: int
    recipe: Recipe
    spec: WorkloadSpec
    layers: int
    dim: int
    ffn: int
    heads: int
    vocab: int
    total_updates: int
    masks: str  # the tuned jobs' dropout masks on this CPU: torch or stream

    @property
    def epochs(self) -> int:
        return self.recipe.max_epoch

    @property
    def per_epoch(self) -> int:
        return self.total_updates // self.epochs

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.layers, self.dim, self.ffn


def setup() -> Setup:
    cfg = snakemake.params.bench
    recipe = Recipe.from_config(snakemake.params.hp)
    args = arch_args(recipe.arch)
    spec = WorkloadSpec(**cfg["workload"])
    total_updates, _ = recipe.schedule(spec.train)
    masks = resolve("cpu", "fp32", snakemake.params.dropout_masks).dropout_masks  # this CPU's
    return Setup(cfg, snakemake.threads, recipe, spec, args.encoder_layers, args.encoder_embed_dim,
                 args.encoder_ffn_embed_dim, args.encoder_attention_heads, spec.vocab_entries + 5, total_updates, masks)


def variant_runs(s: Setup, data_bin: Path, tmp: Path, logs: Path) -> tuple[dict, dict]:
    """({name: seconds per update, wall, peak RSS}, {name: log text}) of one epoch of each variant."""
    runs, texts = {}, {}
    # stock = the lab's flags and torch's masks; each lever alone; tuned = the config's recipe and masks
    stock = s.recipe.stock()
    variants = (("stock", stock, "torch"),
                ("fused_adamw", stock.replace(optimizer="adamw_fused"), "torch"),
                ("length_grouped", stock.replace(batching="length_grouped"), "torch"),
                ("tuned", s.recipe, s.masks),
                ("tuned_torch_masks", s.recipe, "torch"),  # the masks' lever alone, where they are the stream's
                # not a lever: the bound of any cheaper dropout mask (masks that cost nothing)
                ("tuned_no_dropout", s.recipe.replace(dropout=0.0, attention_dropout=0.0), "torch"))
    for name, variant, masks in variants:
        if name == "tuned_torch_masks" and s.masks == "torch":
            runs[name], texts[name] = runs["tuned"], texts["tuned"]
            continue
        # one epoch (checkpoint_last.pt kept for fairseq-validate below)
        wall, rss, texts[name] = run_measured(epoch_command(variant, data_bin, tmp / name, s.spec.train),
                                              logs / f"{name}.log", s.threads, {MASKS_ENV: masks})
        runs[name] = {"seconds_per_update": seconds_per_update(texts[name], s.per_epoch), "wall": wall,
                      "peak_rss_mb": rss}
        print(f"benchmark: {name}: {runs[name]['seconds_per_update']:.3f} s/update, "
              f"peak RSS {rss:.0f} MB", flush=True)
    return runs, texts


def evaluation_runs(s: Setup, data_bin: Path, tmp: Path, logs: Path) -> dict:
    """{(run, subset): seconds} of whole fairseq-validate runs; the checkpoint's task decides the batching."""
    evals = {}
    for name in ("stock", "tuned"):
        for subset in ("valid", "test"):
            cmd = validate_command(s.recipe, data_bin, tmp / name / "checkpoint_last.pt", subset,
                                   executable=find_executable("fairseq-validate"))
            evals[name, subset], _, _ = run_measured(cmd, logs / f"validate_{name}_{subset}.log", s.threads)
            print(f"benchmark: {name} {subset} evaluation {evals[name, subset]:.1f} s", flush=True)
    return evals


def measure(s: Setup, scratch: Path, logs: Path) -> dict:
    """Every timed run, in a temporary folder under ``scratch``: the workload, the GEMM rate, the
    fairseq variants, the thread layout's runs, evaluation, the HF step and the optimizer step."""
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        tmp = Path(tmp)
        print(f"benchmark: writing a {s.spec.train}/{s.spec.valid}/{s.spec.test} workload, V={s.vocab}", flush=True)
        lengths = write_workload(s.spec, tmp)
        data_bin = binarize(tmp, logs / "preprocess.log", s.threads)
        gemm = gemm_gflops(s.recipe.batch_size * round(s.spec.mean_length), s.dim, s.ffn, s.threads)
        print(f"benchmark: fp32 GEMM {gemm:.1f} GFLOPS on {s.threads} thread(s)", flush=True)
        runs, texts = variant_runs(s, data_bin, tmp, logs)
        layout_updates = min(s.cfg["layout_updates"], s.per_epoch)
        alone, beside = one_thread_runs(s.recipe, data_bin, tmp, logs, s.spec.train, s.threads, layout_updates,
                                        s.masks)
        evals = evaluation_runs(s, data_bin, tmp, logs)
        hf = hf_update_seconds(lengths["train"], s.recipe.batch_size, s.threads,
                               s.layers, s.dim, s.ffn, s.heads, s.vocab, s.masks)
        print(f"benchmark: HF model step {hf:.3f} s/update", flush=True)
        optim = optimizer_step_ms(s.recipe.arch, s.vocab, s.threads)
    return {"lengths": lengths, "gemm": gemm, "runs": runs, "texts": texts, "layout_updates": layout_updates,
            "alone": alone, "beside": beside, "evals": evals, "hf": hf, "optim": optim}


def evaluation_split(evals: dict, tokens: dict) -> tuple[dict, dict]:
    """({run: {subset: compute seconds}}, {run: start-up seconds}) of the fairseq-validate runs.

    fairseq-validate's wall time includes its start-up, which evaluation inside fairseq-train
    does not pay: the compute per token comes from the test-minus-valid difference."""
    eval_compute, startup = {}, {}
    for name in ("stock", "tuned"):
        # (clamped at 0: on a tiny workload the difference is within timing noise)
        per_token = max(0.0, (evals[name, "test"] - evals[name, "valid"]) / (tokens["test"] - tokens["valid"]))
        eval_compute[name] = {k: per_token * tokens[k] for k in ("valid", "test")}
        startup[name] = evals[name, "valid"] - eval_compute[name]["valid"]
    return eval_compute, startup


def seed_times(s: Setup, s_upd: dict, hf: float, eval_compute: dict) -> dict:
    """Seconds per seed of each path: its epochs' updates and valid passes, and its test passes."""
    def seed_time(per_update, evals_of, test_passes):
        ev = eval_compute[evals_of]
        return s.epochs * (s.per_epoch * per_update + ev["valid"]) + test_passes * ev["test"]

    return {
        "stock": seed_time(s_upd["stock"], "stock", s.epochs),
        "fused_adamw": seed_time(s_upd["fused_adamw"], "stock", s.epochs),
        "length_grouped": seed_time(s_upd["length_grouped"], "tuned", s.epochs),
        "tuned": seed_time(s_upd["tuned"], "tuned", s.recipe.test_passes),
        "tuned_torch_masks": seed_time(s_upd["tuned_torch_masks"], "tuned", s.recipe.test_passes),
        "tuned_no_dropout": seed_time(s_upd["tuned_no_dropout"], "tuned", s.recipe.test_passes),
        "hf": seed_time(hf, "tuned", 1),
    }


def seed_flops_by_path(s: Setup, lengths: dict) -> tuple[dict, float, float]:
    """({path: FLOPs per seed}, FLOPs with test every epoch, FLOPs with test once)."""
    flops_once = seed_flops(lengths["train"], lengths["valid"], lengths["test"], s.epochs, 1, *s.shape)
    flops_every = seed_flops(lengths["train"], lengths["valid"], lengths["test"], s.epochs, s.epochs, *s.shape)
    flops = {name: flops_every for name in ("stock", "fused_adamw", "length_grouped")}
    for name in ("tuned", "tuned_torch_masks", "tuned_no_dropout"):
        flops[name] = flops_once if s.recipe.tests_once else flops_every
    flops["hf"] = flops_once
    return flops, flops_every, flops_once


def compute(s: Setup, m: dict) -> tuple[dict, dict]:
    """(benchmark.json's content, what the report reads beside it) from the measurements."""
    lengths, gemm, runs, hf = m["lengths"], m["gemm"], m["runs"], m["hf"]
    tokens = {k: sum(v) for k, v in lengths.items()}
    eval_compute, startup = evaluation_split(m["evals"], tokens)
    s_upd = {name: run["seconds_per_update"] for name, run in runs.items()}
    seed = seed_times(s, s_upd, hf, eval_compute)
    flops, flops_every, flops_once = seed_flops_by_path(s, lengths)
    floor = {k: v / (gemm * 1e9) for k, v in flops.items()}
    layout = layout_summary(update_seconds(m["texts"]["tuned"])[: m["layout_updates"] - 1], m["alone"], m["beside"],
                            seed["tuned"], cores=s.threads)
    result = {
        "threads": s.threads, "workload": s.spec.__dict__, "mean_length": statistics.mean(lengths["train"]),
        "gemm_gflops": gemm, "flops_per_seed": flops, "floor_seconds": floor, "seed_seconds": seed,
        "runs": runs, "hf_seconds_per_update": hf,
        "eval_wall_seconds": {f"{name}_{subset}": v for (name, subset), v in m["evals"].items()},
        "eval_compute_seconds": eval_compute, "validate_startup_seconds": startup,
        "optimizer_step_ms": m["optim"], "updates_per_epoch": s.per_epoch,
        "speedup_tuned_over_stock": seed["stock"] / seed["tuned"],
        "tuned_over_floor": seed["tuned"] / floor["tuned"],
        "hf_over_tuned": seed["hf"] / seed["tuned"],
        "dropout_share": 1 - s_upd["tuned_no_dropout"] / s_upd["tuned"],
        "dropout_masks": s.masks, "masks_saving": 1 - s_upd["tuned"] / s_upd["tuned_torch_masks"],
        "test_eval_flops": forward_flops(lengths["test"], *s.shape),
        "thread_layout": layout, "lengths": lengths,
    }
    extra = {"tokens": tokens, "s_upd": s_upd, "flops_every": flops_every, "flops_once": flops_once,
             "update_flops": train_flops(lengths["train"], *s.shape) / s.per_epoch}
    return result, extra


def path_rows(s: Setup, r: dict, extra: dict) -> list[list[str]]:
    """The seed table's rows: minutes, speed-up, throughput and distance to the floor of each path."""
    seed, flops, floor, s_upd = r["seed_seconds"], r["flops_per_seed"], r["floor_seconds"], extra["s_upd"]

    def row(name, label, notes):
        secs = seed[name]
        return [label, f"{secs / 60:.1f}", f"{seed['stock'] / secs:.2f}×",
                f"{s.epochs * extra['tokens']['train'] / secs:,.0f}",
                f"{flops[name] / secs / 1e9:.1f}", f"{secs / floor[name]:.2f}", notes]

    def upd(name):
        return f"{s_upd[name]:.3f} s/update, peak RSS {r['runs'][name]['peak_rss_mb']:.0f} MB"

    return [row("stock", "stock (lab's flags)", f"{upd('stock')}; test every epoch"),
            row("fused_adamw", "+ fused AdamW only", upd("fused_adamw")),
            row("length_grouped", "+ length-grouped batches only", upd("length_grouped")),
            row("tuned", "**tuned** (config)", f"{upd('tuned')}; test once on the best checkpoint; "
                                               f"dropout masks: {s.masks}"),
            row("tuned_torch_masks", "tuned with torch's dropout masks", upd("tuned_torch_masks")),
            row("tuned_no_dropout", "tuned without dropout (a bound, not a lever)",
                f"{upd('tuned_no_dropout')}; dropout 0: what masks that cost nothing would give"),
            row("hf", "HF model step", f"{r['hf_seconds_per_update']:.3f} s/update: transformers' RoBERTa on "
                                       "length-grouped batches, fused AdamW, tuned evaluation")]


def lever_lines(s: Setup, r: dict, s_upd: dict) -> list[str]:
    """What each lever alone saves per seed against stock, and the dropout bound."""
    seed, floor, optim, eval_compute = (r["seed_seconds"], r["floor_seconds"], r["optimizer_step_ms"],
                                        r["eval_compute_seconds"])
    saved = {name: (seed["stock"] - seed[name]) / 60 for name in ("fused_adamw", "length_grouped")}
    return [
        f"- fused AdamW: {saved['fused_adamw']:.1f} min saved (optimizer step {optim['fairseq_adam']:.0f} ms → "
        f"{optim['adamw_fused']:.0f} ms over {optim['parameters']:,} parameters; the stock step's optimizer "
        f"share {optim['fairseq_adam'] / 1000 / s_upd['stock']:.0%}, tuned "
        f"{optim['adamw_fused'] / 1000 / s_upd['tuned']:.0%})",
        f"- length-grouped batches: {saved['length_grouped']:.1f} min saved (fairseq's sentence_prediction "
        "pads each batch to the longest of 8 random reviews; evaluation splits sorted by length: test pass "
        f"{eval_compute['stock']['test']:.0f} s → {eval_compute['tuned']['test']:.0f} s)",
        f"- test evaluated once instead of every epoch: {(s.epochs - 1) * eval_compute['tuned']['test'] / 60:.1f} "
        "min saved on top of the above",
        f"- threads per job = Snakemake threads ({s.threads} here), through OMP_NUM_THREADS",
        f"- dropout masks from the stream (`dropout_masks: auto` is {s.masks} on this CPU): the tuned update "
        f"{s_upd['tuned_torch_masks']:.3f} s with torch's masks → {s_upd['tuned']:.3f} s "
        f"({r['masks_saving']:.0%} less), {(seed['tuned_torch_masks'] - seed['tuned']) / 60:.1f} min per seed",
        f"- dropout itself (not a lever, a bound): the tuned update without dropout takes "
        f"{r['dropout_share']:.0%} less time, so no cheaper mask can bring the tuned seed below "
        f"{seed['tuned_no_dropout'] / floor['tuned']:.2f}× its floor or above {seed['stock'] / seed['tuned_no_dropout']:.2f}× stock",
    ]


def render(s: Setup, r: dict, extra: dict) -> list[str]:
    """benchmark_fairseq.md: the workload, the floor, the seed table, each lever, the thread layout."""
    gemm, flops_every, flops_once = r["gemm_gflops"], extra["flops_every"], extra["flops_once"]
    return [
        "# Benchmark: one real-size seed on this machine", "",
        f"Workload: {s.spec.train} train / {s.spec.valid} valid / {s.spec.test} test reviews, mean "
        f"{r['mean_length']:.0f} tokens (with <s>, </s>), V = {s.vocab}, `{s.recipe.arch}`, batch "
        f"{s.recipe.batch_size}, {s.epochs} epochs = {s.total_updates} updates; {s.threads} thread(s). "
        "Update times are means over one whole epoch of real `fairseq-train` runs (each update's time "
        "as fairseq logs it); evaluation times come from whole `fairseq-validate` runs on valid and "
        f"test, less their start-up ({r['validate_startup_seconds']['tuned']:.1f} s, which evaluation inside "
        "fairseq-train does not pay).", "",
        f"- fp32 GEMM at the model's shapes: **{gemm:.1f} GFLOPS**",
        f"- FLOP per seed: {flops_every:.3g} with test every epoch, {flops_once:.3g} with test once; "
        f"one training update ≈ {extra['update_flops']:.3g} FLOP",
        f"- compute floor (FLOP / GEMM rate): {flops_every / gemm / 1e9 / 60:.1f} min (test every epoch), "
        f"{flops_once / gemm / 1e9 / 60:.1f} min (test once)", "",
        *markdown_table(
            ["path", "minutes per seed", "speed-up", "train tokens/s", "achieved GFLOPS", "× floor", "notes"],
            path_rows(s, r, extra)), "",
        f"- speed-up of tuned over stock: **{r['speedup_tuned_over_stock']:.2f}×**; tuned / floor: "
        f"**{r['tuned_over_floor']:.2f}×**; HF / tuned fairseq: **{r['hf_over_tuned']:.2f}×**",
        "", "Each lever alone (per seed, against stock):", "",
        *lever_lines(s, r, extra["s_upd"]), "",
        *layout_lines(r["thread_layout"], s.threads),
    ]


def main():
    s = setup()
    out_json, out_md = Path(snakemake.output.json), Path(snakemake.output.report)
    logs = Path(snakemake.log[0]).parent / "benchmark"
    logs.mkdir(parents=True, exist_ok=True)
    result, extra = compute(s, measure(s, out_json.parent, logs))
    write_json(out_json, result)
    md = render(s, result, extra)
    write_text_atomic(out_md, "\n".join(md) + "\n")
    print("\n".join(md), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
