"""Snakemake script (target `bench`): a real-size seed measured against the machine's floor.

Measures, in one run on this machine: (a) fp32 GEMM rate at the model's shapes; (b) the
FLOP count of a seed from the workload's token lengths; (c) stock fairseq-train (the lab's
flags) and (d) the tuned settings over a fixed number of updates; test and valid evaluation
with fairseq-validate; (e) the HF model on the same batches; the optimizer's share of an
update. Writes reports/benchmark.md and benchmarks/benchmark.json.
"""
import re
import statistics
import tempfile
import time
from pathlib import Path

import psutil
import torch

from ftlib.bench_workload import WorkloadSpec, write_workload
from ftlib.errors import run_step
from ftlib.fairseq_cmd import finetune_command, schedule, validate_command
from ftlib.flops import forward_flops, seed_flops, train_flops
from ftlib.param_count import arch_args
from ftlib.proc import find_executable, thread_env
from ftlib.textio import write_json, write_lines, write_text_atomic


def run_measured(cmd, log, threads):
    """Run a command; return (wall seconds, peak RSS in MB of it and its children, output)."""
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        proc = psutil.Popen(cmd, stdout=handle, stderr=handle, env=thread_env(threads))
        peak = 0
        while proc.poll() is None:
            try:
                family = [proc] + proc.children(recursive=True)
                peak = max(peak, sum(p.memory_info().rss for p in family))
            except psutil.Error:
                pass
            time.sleep(0.2)
    wall = time.perf_counter() - started
    text = Path(log).read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}); see {log}")
    return wall, peak / 2**20, text


def gemm_gflops(tokens: int, dim: int, ffn: int, threads: int, repeats: int = 60) -> float:
    """Achieved fp32 GEMM rate on the layer's shapes (projections and FFN) with ``threads``."""
    torch.set_num_threads(threads)
    x = torch.randn(tokens, dim)
    weights = [torch.randn(dim, dim), torch.randn(dim, ffn), torch.randn(ffn, dim)]
    inputs = [x, x, torch.randn(tokens, ffn)]
    for a, w in zip(inputs, weights):
        a @ w  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        for a, w in zip(inputs, weights):
            a @ w
    elapsed = time.perf_counter() - started
    flops = repeats * sum(2 * a.shape[0] * a.shape[1] * w.shape[1] for a, w in zip(inputs, weights))
    return flops / elapsed / 1e9


def seconds_per_update(log_text: str) -> float:
    """Median of 1/ups over fairseq's train_inner lines, leaving out the first (warm-up)."""
    ups = [float(u) for u in re.findall(r"train_inner \|.*?ups=([\d.]+)", log_text)]
    if len(ups) < 2:
        raise RuntimeError(f"too few train_inner lines to time updates ({len(ups)})")
    return statistics.median(1 / u for u in ups[1:])


def optimizer_step_ms(arch: str, vocab: int, threads: int) -> dict:
    """One optimizer step over the full model's parameters: fairseq's Adam vs fused AdamW."""
    import fairseq_plugin  # noqa: F401
    from fairseq.data import Dictionary
    from fairseq.models.roberta.model import RobertaEncoder
    from fairseq.optim.adam import Adam as FairseqAdamImpl

    torch.set_num_threads(threads)
    dictionary = Dictionary()
    for i in range(vocab - len(dictionary)):
        dictionary.add_symbol(f"w{i}")
    model = RobertaEncoder(arch_args(arch), dictionary)
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


def hf_update_seconds(lengths, batch_size, threads, updates, layers, dim, ffn, heads, vocab) -> float:
    """transformers' RobertaForSequenceClassification, same shapes, length-grouped batches of
    the same workload, fused AdamW: the compute of the HF branch's training step."""
    import ftlib.hf_env  # noqa: F401  (hides the unloadable torchaudio from transformers)
    from transformers import RobertaConfig, RobertaForSequenceClassification

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=vocab, hidden_size=dim, num_hidden_layers=layers,
                           num_attention_heads=heads, intermediate_size=ffn,
                           max_position_embeddings=258, type_vocab_size=1, num_labels=2)
    model = RobertaForSequenceClassification(config).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01, fused=True)
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])  # group by length
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng = torch.Generator().manual_seed(0)
    picks = torch.randperm(len(batches), generator=rng)[: updates + 1].tolist()
    times = []
    for k in picks:
        width = max(lengths[i] for i in batches[k])
        ids = torch.randint(5, vocab, (len(batches[k]), width), generator=rng)
        mask = torch.ones_like(ids)
        for row, i in enumerate(batches[k]):
            ids[row, lengths[i]:] = 1
            mask[row, lengths[i]:] = 0
        labels = torch.randint(0, 2, (len(batches[k]),), generator=rng)
        started = time.perf_counter()
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def binarize(folder: Path, log: Path, threads: int) -> Path:
    data_bin = folder / "bin"
    prep = find_executable("fairseq-preprocess")
    common = ["--only-source", "--workers", str(threads)]
    run_measured([prep, *common, "--srcdict", str(folder / "dict.txt"), "--destdir", str(data_bin / "input0"),
                  *[a for s in ("train", "valid", "test") for a in (f"--{s}pref", str(folder / f"{s}.tok"))]],
                 log, threads)
    write_lines(folder / "labels.txt", ["0 1", "1 1"])
    run_measured([prep, *common, "--srcdict", str(folder / "labels.txt"), "--destdir", str(data_bin / "label"),
                  *[a for s in ("train", "valid", "test") for a in (f"--{s}pref", str(folder / f"{s}.label"))]],
                 log, threads)
    return data_bin


def main():
    cfg, threads = snakemake.params.bench, snakemake.threads
    hp = dict(snakemake.params.hp)
    args = arch_args(hp["arch"])
    layers, dim, ffn, heads = (args.encoder_layers, args.encoder_embed_dim, args.encoder_ffn_embed_dim,
                               args.encoder_attention_heads)
    spec = WorkloadSpec(**cfg["workload"])
    vocab = spec.vocab_entries + 5
    out_json, out_md = Path(snakemake.output.json), Path(snakemake.output.report)
    logs = Path(snakemake.log[0]).parent / "benchmark"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_json.parent) as tmp:
        tmp = Path(tmp)
        print(f"benchmark: writing a {spec.train}/{spec.valid}/{spec.test} workload, V={vocab}", flush=True)
        lengths = write_workload(spec, tmp)
        data_bin = binarize(tmp, logs / "preprocess.log", threads)
        gemm = gemm_gflops(hp["batch_size"] * round(spec.mean_length), dim, ffn, threads)
        print(f"benchmark: fp32 GEMM {gemm:.1f} GFLOPS on {threads} thread(s)", flush=True)

        updates = cfg["updates"]
        runs = {}
        for name, levers in (("stock", {"optimizer": "adam"}), ("tuned", {"optimizer": "adamw_fused"})):
            run_hp = {**hp, **levers, "log_interval": max(1, updates // 6), "max_epoch": 100}
            cmd = finetune_command(run_hp, data_bin, tmp / name, tmp / name / "tb", 1, spec.train,
                                   executable=find_executable("fairseq-train"))
            cmd = [c for c in cmd if c != "--no-last-checkpoints"] + ["--max-update", str(updates)]
            wall, rss, text = run_measured(cmd, logs / f"{name}.log", threads)
            runs[name] = {"seconds_per_update": seconds_per_update(text), "wall": wall, "peak_rss_mb": rss}
            print(f"benchmark: {name}: {runs[name]['seconds_per_update']:.3f} s/update, "
                  f"peak RSS {rss:.0f} MB", flush=True)
        evals = {}
        for subset in ("valid", "test"):
            cmd = validate_command(hp, data_bin, tmp / "stock" / "checkpoint_last.pt", subset,
                                   executable=find_executable("fairseq-validate"))
            evals[subset], _, _ = run_measured(cmd, logs / f"validate_{subset}.log", threads)
            print(f"benchmark: {subset} evaluation {evals[subset]:.1f} s", flush=True)
        hf = hf_update_seconds(lengths["train"], hp["batch_size"], threads, min(updates, 20),
                               layers, dim, ffn, heads, vocab)
        print(f"benchmark: HF model step {hf:.3f} s/update", flush=True)
        optim = optimizer_step_ms(hp["arch"], vocab, threads)

    epochs = hp["max_epoch"]
    total_updates, _ = schedule(spec.train, hp["batch_size"], epochs, hp["warmup_ratio"])
    per_epoch = total_updates // epochs
    seed = {
        "stock": epochs * (per_epoch * runs["stock"]["seconds_per_update"] + evals["valid"] + evals["test"]),
        "tuned": epochs * (per_epoch * runs["tuned"]["seconds_per_update"] + evals["valid"]) + evals["test"],
        "hf": epochs * (per_epoch * hf + evals["valid"]) + evals["test"],
    }
    shape = (layers, dim, ffn)
    flops = {
        "stock": seed_flops(lengths["train"], lengths["valid"], lengths["test"], epochs, *shape, test_every_epoch=True),
        "tuned": seed_flops(lengths["train"], lengths["valid"], lengths["test"], epochs, *shape, test_every_epoch=False),
    }
    flops["hf"] = flops["tuned"]
    floor = {k: v / (gemm * 1e9) for k, v in flops.items()}
    update_flops = train_flops(lengths["train"], *shape) / per_epoch
    result = {
        "threads": threads, "workload": spec.__dict__, "mean_length": statistics.mean(lengths["train"]),
        "gemm_gflops": gemm, "flops_per_seed": flops, "floor_seconds": floor, "seed_seconds": seed,
        "updates_timed": updates, "runs": runs, "eval_seconds": evals, "hf_seconds_per_update": hf,
        "optimizer_step_ms": optim, "updates_per_epoch": per_epoch,
        "speedup_tuned_over_stock": seed["stock"] / seed["tuned"],
        "hf_over_tuned": seed["hf"] / seed["tuned"],
        "test_eval_flops": forward_flops(lengths["test"], *shape),
    }
    write_json(out_json, result)

    def row(name, secs, extra=""):
        tokens = epochs * sum(lengths["train"])
        return (f"| {name} | {secs / 60:.1f} | {tokens / secs:,.0f} | {flops[name] / secs / 1e9:.1f} | "
                f"{secs / floor[name]:.2f} | {extra} |")

    md = [
        "# Benchmark: one real-size seed on this machine", "",
        f"Workload: {spec.train} train / {spec.valid} valid / {spec.test} test reviews, mean "
        f"{result['mean_length']:.0f} tokens (with <s>, </s>), V = {vocab}, `{hp['arch']}`, batch "
        f"{hp['batch_size']}, {epochs} epochs = {total_updates} updates; {threads} thread(s). "
        f"Update times are medians over {updates} timed updates of real `fairseq-train` runs, "
        "evaluation times whole `fairseq-validate` runs (start-up included).", "",
        f"- fp32 GEMM at the model's shapes: **{gemm:.1f} GFLOPS**",
        f"- FLOP per seed: stock {flops['stock']:.3g} (test every epoch), tuned {flops['tuned']:.3g} "
        f"(test once); one training update ≈ {update_flops:.3g} FLOP", 
        f"- compute floor (FLOP / GEMM rate): stock {floor['stock'] / 60:.1f} min, tuned {floor['tuned'] / 60:.1f} min", "",
        "| path | minutes per seed | train tokens/s | achieved GFLOPS | × floor | notes |",
        "|---|---|---|---|---|---|",
        row("stock", seed["stock"], f"{runs['stock']['seconds_per_update']:.3f} s/update, test every epoch, "
                                    f"peak RSS {runs['stock']['peak_rss_mb']:.0f} MB"),
        row("tuned", seed["tuned"], f"{runs['tuned']['seconds_per_update']:.3f} s/update, test once, "
                                    f"peak RSS {runs['tuned']['peak_rss_mb']:.0f} MB"),
        row("hf", seed["hf"], f"{hf:.3f} s/update (model step on length-grouped batches, fused AdamW)"), "",
        f"- speed-up of tuned over stock: **{result['speedup_tuned_over_stock']:.2f}×**; HF / tuned fairseq: "
        f"**{result['hf_over_tuned']:.2f}×**",
        "", "Each lever alone (per seed):", "",
        f"- fused AdamW: {epochs * per_epoch * (runs['stock']['seconds_per_update'] - runs['tuned']['seconds_per_update']) / 60:.1f} min saved "
        f"(optimizer step {optim['fairseq_adam']:.0f} ms → {optim['adamw_fused']:.0f} ms over "
        f"{optim['parameters']:,} parameters; the stock step's optimizer share "
        f"{optim['fairseq_adam'] / 1000 / runs['stock']['seconds_per_update']:.0%}, tuned "
        f"{optim['adamw_fused'] / 1000 / runs['tuned']['seconds_per_update']:.0%})",
        f"- test evaluated once instead of every epoch: {(epochs - 1) * evals['test'] / 60:.1f} min saved "
        f"({evals['test']:.0f} s per test pass)",
        "- length-bucketed batches: fairseq's sentence_prediction already batches length-sorted "
        "indices (stock and tuned alike); the HF step above groups by length the same way",
        f"- threads per job = Snakemake threads ({threads} here), through OMP_NUM_THREADS", "",
    ]
    write_text_atomic(out_md, "\n".join(md) + "\n")
    print("\n".join(md), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
