"""Snakemake script (target `bench`): what the whole real experiment costs on this machine.

Every training job of `snakemake all --config mode=real` gets a predicted duration from
per-update times measured in this benchmark run on real-size shapes: fairseq from
benchmark_fairseq (a whole epoch of the tuned recipe, scaled to threads.train by the thread-layout
measurement); the HF branch and each PEFT method from steps of their transformers models timed
here at threads.train threads (batches spread over the epoch's widths) and evaluation passes;
BLOOM from bloom-560m-shaped LoRA micro-steps with random weights, loaded as the job loads its
base on this CPU. The jobs are then scheduled onto the slots of `--cores 2` and `--cores 8`.
Writes reports/benchmark.md (benchmark_fairseq's section, then this one) and
benchmarks/experiment.json.
"""
import json
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch

from ftlib.accounting.fairseq_encoder import arch_args
from ftlib.bench.experiment import Job, bloom_job_seconds, classifier_job_seconds, schedule_table
from ftlib.bench.floor import bloom_job_flops, classifier_job_flops
from ftlib.bench.side_by_side import slowdown
from ftlib.bench.steps import (bloom_lora_seconds, eval_batch_seconds, gemm_gflops, length_grouped_batches,
                               sorted_batches, spread, timed_classifier, train_step_seconds, without_dropout)
from ftlib.core.errors import run_step
from ftlib.core.recipe import Recipe
from ftlib.core.stream_dropout import install
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_json, write_text_atomic
from ftlib.peft import max_positions_for

CORES = (2, 8)


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f}" if seconds >= 600 else f"{seconds / 60:.1f}"


def hours_minutes(seconds: float) -> str:
    hours, rest = divmod(round(seconds / 60), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def experiment_flops(p, bench: dict, finetune: Recipe, shape: tuple, bloom_recompute: bool) -> dict:
    """{(branch, job name): FLOPs} of every job the schedule holds, named as its Job (BLOOM's with its
    recomputed forward where gradient checkpointing is on)."""
    lengths = bench["lengths"]
    flops = {}
    for init in p.inits:
        for seed in p.seeds:
            # the seed; its predictions.tsv pass is its one test pass when it tests once, else one more
            flops["fairseq", f"{init} seed {seed}"] = (bench["flops_per_seed"]["tuned"]
                                                       + (not finetune.tests_once) * bench["test_eval_flops"])
            flops["hf", f"{init} seed {seed}"] = classifier_job_flops(
                {"kind": "full"}, lengths, finetune.max_epoch, finetune.test_passes, *shape, finetune.max_positions)
    for method in p.peft_methods:
        recipe = Recipe.from_config(p.peft_recipes[method])
        per_job = classifier_job_flops(dict(p.peft_specs[method]), lengths, recipe.max_epoch, recipe.test_passes,
                                       *shape, recipe.max_positions)
        flops.update({("peft", f"{method} seed {seed}"): per_job for seed in p.peft_seeds})
    flops["bloom", "lora"] = bloom_job_flops(p.bloom_shape, p.bloom_lora, p.bloom_train, p.bloom_heldout,
                                             p.bloom_max_new_tokens, p.experiment["bloom_tokens"], bloom_recompute)
    return flops


def test_when(recipe: Recipe) -> str:
    return "once, on the best-valid epoch's weights" if recipe.tests_once else "after every epoch"


@dataclass(frozen=True)
class Setup:
    """What every step reads: the workflow's params, benchmark_fairseq's results, the fine-tuning
    recipe and its model's shape, and how jobs side by side scale."""

    p: object  # snakemake.params
    threads: int
    bench: dict
    finetune: Recipe
    shape: tuple
    vocab: int
    contention: float  # fairseq's 1-thread job beside others runs this many times slower than alone
    ratio: float  # benchmark_fairseq's seed (all its threads) to one job at threads.train

    @property
    def lengths(self) -> dict:
        return self.bench["lengths"]

    @property
    def sample_count(self) -> int:
        return self.p.experiment["sample_batches"]

    @property
    def masks(self) -> str:
        """The jobs' dropout masks on this CPU, as benchmark_fairseq resolved them: torch or stream."""
        return self.bench["dropout_masks"]


def setup() -> Setup:
    p, threads = snakemake.params, snakemake.params.threads_train
    bench = json.loads(Path(snakemake.input.json).read_text())
    layout = bench["thread_layout"]
    finetune = Recipe.from_config(p.finetune)
    args = arch_args(finetune.arch)
    shape = (args.encoder_layers, args.encoder_embed_dim, args.encoder_ffn_embed_dim, args.encoder_attention_heads)
    torch.set_num_threads(threads)
    # jobs at once beside each other: a 1-thread job runs `contention` times slower than alone
    contention = layout["contention"] if threads < bench["threads"] else 1.0
    ratio = layout["one_thread_over_all_threads"] if threads < bench["threads"] else 1.0
    install(bench["dropout_masks"])  # the HF, PEFT and BLOOM steps timed here draw the jobs' masks
    return Setup(p, threads, bench, finetune, shape, bench["workload"]["vocab_entries"] + 5, contention, ratio)


def train_batches(s: Setup, recipe: Recipe) -> list[list[int]]:
    """The timed training batches: spread over the epoch's widths."""
    return spread(length_grouped_batches(s.lengths["train"], recipe.batch_size), s.lengths["train"], s.sample_count)


def side_by_side(s: Setup, workload: str, args: dict, folder=None) -> dict:
    """The branch's slowdown beside the other jobs `--cores 2` runs with it (ftlib.bench.side_by_side);
    none when one job takes every thread. ``folder``: where the processes meet (default: a new one)."""
    copies = s.bench["threads"] // s.threads
    if copies < 2:
        return {"slowdown": 1.0, "copies": 1}
    if folder is None:
        with tempfile.TemporaryDirectory(dir=Path(snakemake.output.json).parent) as scratch:
            return side_by_side(s, workload, args, scratch)
    result = slowdown(workload, {**args, "dropout_masks": s.masks}, copies, Path(folder) / "side_by_side")
    print(f"experiment: {workload} {args.get('spec') or ''} side by side: {result['beside_seconds']:.3f} s/step "
          f"beside {copies - 1} other(s), {result['alone_seconds']:.3f} alone: x{result['slowdown']:.3f}", flush=True)
    return result


def classifier_side_by_side(s: Setup, recipe: Recipe, spec: dict | None, cap=None) -> dict:
    return side_by_side(s, "classifier", {"shape": list(s.shape), "vocab": s.vocab, "spec": spec, "cap": cap,
                                          "lengths": s.lengths["train"], "batches": train_batches(s, recipe)})


def mean_step_seconds(s: Setup, model, recipe: Recipe, cap=None) -> float:
    """A transformers classifier's mean training step over the recipe's sampled batches, alone."""
    return statistics.mean(train_step_seconds(model, s.lengths["train"], train_batches(s, recipe), s.vocab, cap))


def classifier_seconds(s: Setup, model, recipe: Recipe, cap=None) -> tuple[float, float, float]:
    """(mean step, one evaluation of valid, one of test) of a transformers classifier, alone."""
    lengths, vocab = s.lengths, s.vocab
    eval_lengths = lengths["valid"] + lengths["test"]
    step = mean_step_seconds(s, model, recipe, cap)
    size = max(recipe.batch_size, 32)  # the Trainer's evaluation batch
    valid = sorted_batches(lengths["valid"], size)
    test = [[len(lengths["valid"]) + i for i in b] for b in sorted_batches(lengths["test"], size)]
    timed = spread(valid + test, eval_lengths, s.sample_count)
    per_batch = statistics.mean(eval_batch_seconds(model, eval_lengths, timed, vocab, cap))
    return step, per_batch * len(valid), per_batch * len(test)


def job_seconds(s: Setup, recipe: Recipe, step: float, valid: float, test: float, factor: float) -> float:
    """A classifier job beside the others: its time alone × its branch's side-by-side slowdown."""
    return classifier_job_seconds(recipe.max_epoch, len(s.lengths["train"]), recipe.batch_size, step, valid, test,
                                  recipe.test_passes) * factor


def fairseq_jobs(s: Setup, measured: dict) -> list[Job]:
    # fairseq: the tuned seed of benchmark_fairseq (all benchmark threads), scaled to threads.train
    # jobs side by side; the predictions.tsv pass is the seed's one test pass when it tests once
    extra_test = 0 if s.finetune.tests_once else s.bench["eval_compute_seconds"]["tuned"]["test"]
    fairseq_seed = (s.bench["seed_seconds"]["tuned"] + extra_test) * s.ratio
    measured["fairseq"] = {"seed_seconds": fairseq_seed, "scaled_by": s.ratio}
    return [Job("fairseq", f"{init} seed {seed}", fairseq_seed) for init in s.p.inits for seed in s.p.seeds]


def hf_jobs(s: Setup, measured: dict) -> tuple[list[Job], float]:
    """The HF branch's jobs, and the evaluation's share of one (seconds)."""
    finetune = s.finetune
    step, valid, test = classifier_seconds(s, timed_classifier(s.shape, s.vocab), finetune)
    no_dropout = mean_step_seconds(s, without_dropout(timed_classifier(s.shape, s.vocab)), finetune)
    beside = classifier_side_by_side(s, finetune, None)
    hf_seed = job_seconds(s, finetune, step, valid, test, beside["slowdown"])
    hf_eval = (finetune.max_epoch * valid + finetune.test_passes * test) * beside["slowdown"]
    measured["hf"] = {"step_seconds": step, "valid_seconds": valid, "test_seconds": test, "seed_seconds": hf_seed,
                      "side_by_side": beside, "step_seconds_no_dropout": no_dropout,
                      "dropout_share": 1 - no_dropout / step}
    print(f"experiment: HF step {step:.3f} s, valid {valid:.0f} s, test {test:.0f} s, job {hf_seed / 60:.1f} min",
          flush=True)
    return [Job("hf", f"{init} seed {seed}", hf_seed) for init in s.p.inits for seed in s.p.seeds], hf_eval


def peft_jobs(s: Setup, measured: dict) -> list[Job]:
    """Every PEFT method's jobs; the branch's side-by-side slowdown measured on its first method
    that is not full fine-tuning (full fine-tuning is the HF branch's step)."""
    jobs, beside = [], None
    for method in s.p.peft_methods:
        recipe = Recipe.from_config(s.p.peft_recipes[method])
        spec = s.p.peft_specs[method]
        model = timed_classifier(s.shape, s.vocab, spec)
        cap = max_positions_for(dict(spec), recipe.max_positions)
        step, valid, test = classifier_seconds(s, model, recipe, cap=cap)
        measured_here = beside is None and spec["kind"] != "full"
        if measured_here:
            beside = classifier_side_by_side(s, recipe, dict(spec), cap)
        factor = (measured["hf"]["side_by_side"] if spec["kind"] == "full" else beside)["slowdown"]
        seconds = job_seconds(s, recipe, step, valid, test, factor)
        measured[f"peft/{method}"] = {"step_seconds": step, "valid_seconds": valid, "test_seconds": test,
                                      "seed_seconds": seconds, "slowdown": factor,
                                      **({"side_by_side": beside} if measured_here else {}),
                                      "batch_size": recipe.batch_size, "epochs": recipe.max_epoch}
        print(f"experiment: PEFT {method} step {step:.3f} s, job {seconds / 60:.1f} min", flush=True)
        jobs += [Job("peft", f"{method} seed {seed}", seconds) for seed in s.p.peft_seeds]
    return jobs


def bloom_jobs(s: Setup, measured: dict) -> list[Job]:
    p = s.p
    with tempfile.TemporaryDirectory(dir=Path(snakemake.output.json).parent) as folder:
        timing = bloom_lora_seconds(p.bloom_shape, p.bloom_lora, p.bloom_quantization, p.experiment["bloom_tokens"],
                                    p.experiment["bloom_steps"], p.experiment["bloom_new_tokens"], folder,
                                    {"setting": p.bloom_gradient_checkpointing, "max_length": p.bloom_max_length,
                                     "mem_mb": p.bloom_mem_mb})
        beside = side_by_side(s, "bloom", {
            "shape": dict(p.bloom_shape), "quantization": dict(p.bloom_quantization), "folder": folder,
            "lora": dict(p.bloom_lora), "tokens": p.experiment["bloom_tokens"], "steps": p.experiment["bloom_steps"],
            "checkpointing": {"setting": p.bloom_gradient_checkpointing, "max_length": p.bloom_max_length,
                              "mem_mb": p.bloom_mem_mb}}, folder)
    bloom = bloom_job_seconds(p.bloom_train, p.bloom_heldout, p.bloom_max_new_tokens, timing) * beside["slowdown"]
    measured["bloom"] = {**timing, "job_seconds": bloom, "side_by_side": beside}
    print(f"experiment: BLOOM micro-step {timing['micro_step_seconds']:.2f} s ({timing['path']}; "
          f"gradient checkpointing {'on' if timing['recompute'] else 'off'}: {timing['recompute_why']}), "
          f"job {bloom / 60:.1f} min", flush=True)
    return [Job("bloom", "lora", bloom)]


def measure(s: Setup) -> tuple[dict, list[Job], float]:
    """(per branch or method: its timings, every job with its predicted duration, the HF seed's evaluation)."""
    measured = {}
    jobs = fairseq_jobs(s, measured)
    hf, hf_eval = hf_jobs(s, measured)
    jobs += hf + peft_jobs(s, measured) + bloom_jobs(s, measured)
    return measured, jobs, hf_eval


def branch_slowdown(s: Setup, measured: dict, key: str) -> float:
    """The side-by-side slowdown a job's predicted time holds (measured per branch)."""
    if key == "fairseq":
        return s.contention
    return measured[key]["slowdown"] if key.startswith("peft/") else measured[key]["side_by_side"]["slowdown"]


def side_by_side_rows(s: Setup, measured: dict) -> list[list[str]]:
    """Per branch: its step alone and beside the others, and the slowdown the schedule applies."""
    layout = s.bench["thread_layout"]["seconds_per_update"]
    rows = [["fairseq (benchmark_fairseq's layout runs)", f"{layout['one_thread_alone']:.3f}",
             f"{layout['one_thread_beside']:.3f}", f"{s.contention:.3f}"]]
    peft = [(f"PEFT ({key.removeprefix('peft/')})", value["side_by_side"]) for key, value in measured.items()
            if key.startswith("peft/") and "side_by_side" in value]
    for name, result in (("HF", measured["hf"]["side_by_side"]), *peft,
                         ("BLOOM (LoRA micro-step)", measured["bloom"]["side_by_side"])):
        if result and "alone_seconds" in result:
            rows.append([name, f"{result['alone_seconds']:.3f}", f"{result['beside_seconds']:.3f}",
                         f"{result['slowdown']:.3f}"])
    return rows


def compute(s: Setup, measured: dict, jobs: list[Job]) -> tuple[dict, dict]:
    """(experiment.json's content, what the report reads beside it): each job against its floor,
    the schedules on CORES and the whole experiment's floor."""
    job_flops = experiment_flops(s.p, s.bench, s.finetune, s.shape[:3], measured["bloom"]["recompute"])
    # each job against its own floor, measured the same way as the tuned seed's: its time alone at
    # threads.train threads over its FLOPs at the GEMM rate of that many threads
    gemm_job = gemm_gflops(s.finetune.batch_size * round(s.bench["mean_length"]), s.shape[1], s.shape[2],
                           s.threads) * 1e9
    for job in jobs:  # every seed of a branch or method has the same time and FLOPs
        key = f"peft/{job.name.rsplit(' seed ', 1)[0]}" if job.branch == "peft" else job.branch
        measured[key]["over_floor"] = (job.seconds / branch_slowdown(s, measured, key)
                                       / (job_flops[job.branch, job.name] / gemm_job))
    slots = {cores: max(1, cores // s.threads) for cores in CORES}
    # the FLOP floor of the fairseq and HF seeds, the whole machine computing at its GEMM rate
    floor = len(s.p.inits) * len(s.p.seeds) * (s.bench["floor_seconds"]["tuned"] + s.bench["floor_seconds"]["hf"])
    table = schedule_table(jobs, sorted(set(slots.values())))
    core_set = [j for j in jobs if j.branch in ("fairseq", "hf")]
    target = schedule_table(core_set, [slots[2]])[0]
    # the whole experiment's floor: every job's FLOPs with the whole machine at its GEMM rate
    gemm = s.bench["gemm_gflops"] * 1e9
    whole = {"flops": sum(job_flops.values()), "seconds": sum(job_flops.values()) / gemm,
             "by_branch": {branch: sum(f for (b, _), f in job_flops.items() if b == branch)
                           for branch in dict.fromkeys(b for b, _ in job_flops)}}
    predicted = next(row for row in table if row["group"] == "all")[f"wall_{slots[2]}"]
    whole["predicted_over_floor"] = predicted / whole["seconds"]
    result = {"threads_train": s.threads, "contention": s.contention, "slots": slots,
              "gemm_gflops_job": gemm_job / 1e9,
              "measured": measured, "schedule": table, "fairseq_hf": target,
              "floor": whole,
              "jobs": [{**job.__dict__, "flops": job_flops[job.branch, job.name]} for job in jobs]}
    return result, {"fairseq_hf_floor": floor, "predicted": predicted}


def branch_rows(s: Setup, r: dict, jobs: list[Job]) -> list[list]:
    """The job table's rows: per branch (per PEFT method) its jobs, minutes per job and floor ratio."""
    measured, finetune, p = r["measured"], s.finetune, s.p
    b = measured["bloom"]
    return [
        ["fairseq", sum(j.branch == "fairseq" for j in jobs), minutes(measured["fairseq"]["seed_seconds"]),
         f"{measured['fairseq']['over_floor']:.2f}",
         f"{finetune.max_epoch} epochs of {len(s.lengths['train'])} reviews, batch {finetune.batch_size}, "
         "valid every epoch, test once"],
        ["HF", sum(j.branch == "hf" for j in jobs), minutes(measured["hf"]["seed_seconds"]),
         f"{measured['hf']['over_floor']:.2f}",
         f"{measured['hf']['step_seconds']:.3f} s/step alone ({measured['hf']['step_seconds_no_dropout']:.3f} "
         f"without dropout, a bound: dropout {100 * measured['hf']['dropout_share']:.0f} % of the step); valid every epoch "
         f"({measured['hf']['valid_seconds']:.0f} s), test {test_when(finetune)} ({measured['hf']['test_seconds']:.0f} s)"],
        *[[f"PEFT {m}", len(p.peft_seeds), minutes(measured[f'peft/{m}']['seed_seconds']),
           f"{measured[f'peft/{m}']['over_floor']:.2f}",
           f"{measured[f'peft/{m}']['step_seconds']:.3f} s/step alone, batch {measured[f'peft/{m}']['batch_size']}, "
           f"{measured[f'peft/{m}']['epochs']} epochs"] for m in p.peft_methods],
        ["BLOOM", 1, minutes(b["job_seconds"]), f"{b['over_floor']:.2f}",
         f"{b['path']}: {b['micro_step_seconds']:.2f} s per micro-step of {b['tokens']} tokens, "
         f"{p.bloom_train['max_steps']} steps × {p.bloom_train['grad_accum']}; held-out forward "
         f"{b['forward_seconds']:.2f} s, {b['seconds_per_new_token']:.3f} s per generated token"],
    ]


def schedule_notes(s: Setup, r: dict, floor: float, predicted: float, hf_eval: float) -> list[str]:
    """The bullets under the schedule: the issue's target, the floors, and what is assumed."""
    target, whole, bench, slots = r["fairseq_hf"], r["floor"], s.bench, r["slots"]
    return [
        f"- the fairseq and HF branches ({target['jobs']} seeds) on 2 cores: **{hours_minutes(target[f'wall_{slots[2]}'])}** "
        f"(issue 24's target: 40 min; {'met' if target[f'wall_{slots[2]}'] <= 2400 else 'not met'}). At this machine's "
        f"GEMM rate ({bench['gemm_gflops']:.0f} GFLOPS on {bench['threads']} threads) their FLOP alone take "
        f"{hours_minutes(floor)}: the prediction is {target[f'wall_{slots[2]}'] / floor:.2f}× that, the rest being "
        "the non-matrix work of each step (dropout masks, layer norms, softmax; see the profile note in the "
        f"README) and, with 1-thread jobs, their contention. Dropout masks: {s.masks} (`dropout_masks`), in "
        "every job timed here",
        f"- the whole experiment's FLOP floor (every job above: {whole['flops'] / 1e15:.2f} PFLOP, of which "
        + ", ".join(f"{branch} {flops / 1e15:.2f}" for branch, flops in whole["by_branch"].items())
        + f"; matrix work only, `ftlib/bench/floor.py`) at this machine's GEMM rate on {bench['threads']} threads: "
        f"**{hours_minutes(whole['seconds'])}**; the predicted `--cores 2` time "
        f"({hours_minutes(predicted)}) is **{whole['predicted_over_floor']:.2f}×** that",
        f"- of each HF seed's {minutes(r['measured']['hf']['seed_seconds'])} min, {minutes(hf_eval)} min are its "
        f"evaluation (length-sorted batches of 32): valid after every epoch, test {test_when(s.finetune)}, as each "
        "PEFT job's",
        "- `--cores 8` assumes an 8-core machine whose jobs each run as fast as two side by side here "
        "(the contention of 8 jobs sharing one memory system is not measured on this 2-core machine)",
        f"- BLOOM's answers are assumed to run to max_new_tokens ({s.p.bloom_max_new_tokens}) before and after "
        f"tuning, and its training examples to hold {r['measured']['bloom']['tokens']} tokens "
        "(`benchmark.experiment.bloom_tokens`; the real FAQ is not on this machine): its time scales about "
        "linearly with that length. The SLURM profile sends it to a GPU partition, not timed here.", "",
    ]


def render(s: Setup, r: dict, jobs: list[Job], extra: dict, hf_eval: float) -> list[str]:
    """The report's section on the whole experiment: the jobs, the schedules and their floors."""
    threads, slots, table = s.threads, r["slots"], r["schedule"]
    plural = "s" * (threads > 1)
    return [
        "## The whole experiment (`snakemake all --config mode=real`, default config)", "",
        f"Every training job of the real experiment with its predicted duration on this machine, "
        f"threads per job: {threads} (`threads.train`): `--cores N` runs {' / '.join(f'{slots[c]} (N={c})' for c in CORES)} "
        "jobs at once. Durations come from this benchmark run: fairseq from the tuned seed above, "
        f"scaled by the thread-layout measurement (× {s.ratio:.2f}); the HF model and each PEFT method from "
        f"{s.sample_count} training steps spread over the epoch's batch widths and {s.sample_count} evaluation "
        f"batches, timed here with {threads} thread{plural} and random weights, × their branch's slowdown beside "
        "other jobs (below); BLOOM from bloom-560m-shaped LoRA micro-steps with random weights. The preparation jobs "
        "(downloads, SentencePiece, binarization, the HF conversion, the probe) are not included: a few "
        f"minutes, before any training. × its floor: a job's time alone over its FLOPs (`ftlib/bench/floor.py`) at "
        f"this machine's GEMM rate on {threads} thread{plural} ({r['gemm_gflops_job']:.0f} GFLOPS).", "",
        *markdown_table(["branch", "jobs", "per job (min)", "× its floor", "how it is counted"],
                        branch_rows(s, r, jobs)), "",
        "Predicted wall time (LPT schedule: longest job first, each to the first free slot; the bound: "
        "no schedule beats the longest job or the total spread evenly):", "",
        *markdown_table(["jobs", "count", "job time (h)", *[f"--cores {c}" for c in CORES],
                         *[f"bound, --cores {c}" for c in CORES]],
                        [[row["group"], row["jobs"], f"{row['job_seconds'] / 3600:.1f}",
                          *[hours_minutes(row[f"wall_{slots[c]}"]) for c in CORES],
                          *[hours_minutes(row[f"bound_{slots[c]}"]) for c in CORES]] for row in table]), "",
        *schedule_notes(s, r, extra["fairseq_hf_floor"], extra["predicted"], hf_eval),
        *side_by_side_lines(s, r),
    ]


def side_by_side_lines(s: Setup, r: dict) -> list[str]:
    """Each branch's step alone and beside the others `--cores 2` runs with it, and BLOOM's NF4 share."""
    bloom, lines = r["measured"]["bloom"], []
    if s.bench["threads"] // s.threads >= 2:
        lines += [
            "### Side by side", "",
            f"Each branch's training step timed in a fresh 1-thread process alone, then in {s.bench['threads']} at "
            "once (`ftlib/bench/side_by_side.py`); the ratio multiplies that branch's jobs in the schedule:", "",
            *markdown_table(["branch", "s/step alone", "s/step beside", "slowdown"],
                            side_by_side_rows(s, r["measured"])), ""]
    if bloom["quantized"]:
        lines += [f"- BLOOM's 4-bit NF4 dequantization (bitsandbytes, before each matrix product, forward and "
                  f"backward) takes {100 * bloom['dequantize_share']:.0f} % of a micro-step's CPU time (torch's "
                  "profiler over one micro-step).", ""]
    return lines


def main():
    s = setup()
    measured, jobs, hf_eval = measure(s)
    result, extra = compute(s, measured, jobs)
    write_json(snakemake.output.json, result)
    lines = render(s, result, jobs, extra, hf_eval)
    fairseq_section = Path(snakemake.input.report).read_text()
    write_text_atomic(snakemake.output.report, fairseq_section + "\n" + "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
