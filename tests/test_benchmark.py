"""The benchmark target runs end to end and its numbers hang together (not a timed test)."""
import json
import re

import pytest

from conftest import make_workdir, run_snakemake
from ftlib.bench.experiment import Job, bloom_job_seconds, classifier_job_seconds, lower_bound, makespan, schedule_table
from ftlib.bench.layout import layout_summary
from ftlib.bench.measure import update_seconds
from ftlib.bench.floor import bloom_job_flops, classifier_job_flops
from ftlib.core.device import resolve
from ftlib.fairseq.flops import forward_flops, seed_flops, train_flops


def test_flop_count_of_one_sequence_by_hand():
    # 1 layer, D=4, F=8, T=3: projections/FFN 2*3*(4*16+2*32) = 768, attention 4*9*4 = 144,
    # head 2*(16+8) = 48
    assert forward_flops([3], layers=1, dim=4, ffn=8) == 768 + 144 + 48
    assert train_flops([3], 1, 4, 8) == 3 * (768 + 144 + 48)
    once = seed_flops([3], [3], [3], 2, 1, 1, 4, 8)
    every = seed_flops([3], [3], [3], 2, 2, 1, 4, 8)
    assert every - once == forward_flops([3], 1, 4, 8)  # one test pass saved over 2 epochs


def test_floor_of_each_method_by_hand():
    # 1 layer, D=4, F=8, T=3 (above): weights 768, attention 144, head 48 per forward
    lengths = {"train": [3], "valid": [3], "test": [3]}
    shape = dict(layers=1, dim=4, ffn=8, max_positions=256)
    full = classifier_job_flops({"kind": "full"}, lengths, 2, 1, **shape)
    assert full == seed_flops([3], [3], [3], 2, 1, 1, 4, 8)  # = the HF / fairseq count
    # frozen weights: forward + their input's gradient (2x); attention and head 3x
    bitfit = classifier_job_flops({"kind": "bitfit"}, lengths, 2, 1, **shape)
    assert bitfit == 2 * (2 * 768 + 3 * (144 + 48) + 960) + 960
    # LoRA r 2 on one D x D matrix: 3 tokens x 2 x 2 x (4 + 4) = 96 forward, trained: 3x
    lora = classifier_job_flops({"kind": "lora", "r": 2, "target_modules": ["query"]}, lengths, 2, 1, **shape)
    assert lora - bitfit == 2 * 3 * 96
    # two adapters of size 1: 3 tokens x 2 x 2 x (2 x 4 x 1) = 96 forward
    assert classifier_job_flops({"kind": "adapter", "size": 1}, lengths, 2, 1, **shape) == lora
    # a soft prompt of 2 tokens: sequences of 5, every pass; at max_positions 4 the text keeps 2
    prompt = classifier_job_flops({"kind": "prompt", "num_virtual_tokens": 2}, lengths, 2, 1, **shape)
    assert prompt == classifier_job_flops({"kind": "bitfit"}, {k: [5] for k in lengths}, 2, 1, **shape)
    capped = classifier_job_flops({"kind": "prompt", "num_virtual_tokens": 2}, lengths, 2, 1,
                                  **{**shape, "max_positions": 4})
    assert capped == classifier_job_flops({"kind": "bitfit"}, {k: [4] for k in lengths}, 2, 1, **shape)
    # BLOOM shape, 1 layer, D=2, V=10, LoRA r 1 on query_key_value (D -> 3D); 4-token examples
    # (mean context 2): weights 2 x (4 x 4 + 2 x 2 x 8) = 96, attention 4 x 2 x 2 = 16, LM head 40,
    # LoRA 2 x 1 x (2 + 6) = 16 per token
    bloom = {"num_layers": 1, "hidden_size": 2, "vocab_size": 10}
    step = 4 * (2 * (96 + 40) + 3 * (16 + 16))
    losses = (2 + 1) * 3 * 4 * (96 + 16 + 40)  # before, after, 1 curve point; 3 held-out examples
    generation = 2 * 3 * 2 * (96 + 4 * 5 * 2 + 40)  # 2 new tokens each, mean context 4 + 1
    train = {"max_steps": 5, "grad_accum": 2, "eval_every": 10}
    assert bloom_job_flops(bloom, {"r": 1, "target_modules": ["query_key_value"]}, train, 3, 2, 4) == (
        10 * step + losses + generation)
    # gradient checkpointing: each micro-step's layers forward once more (96 + 16 + 16 per token)
    assert bloom_job_flops(bloom, {"r": 1, "target_modules": ["query_key_value"]}, train, 3, 2, 4, True) == (
        10 * (step + 4 * (96 + 16 + 16)) + losses + generation)


def test_makespan_of_a_longest_first_schedule_by_hand():
    # 2 slots, jobs 5, 4, 3, 3, 3: LPT puts 5 | 4, then 3 on the 4 (7), 3 on the 5 (8), 3 on the 7 (10)
    assert makespan([3, 5, 3, 4, 3], 2) == 10
    assert lower_bound([3, 5, 3, 4, 3], 2) == 9  # total 18 / 2 slots
    assert makespan([3, 5, 3, 4, 3], 8) == 5 == lower_bound([3, 5, 3, 4, 3], 8)  # one job per slot
    assert makespan([7], 2) == 7
    with pytest.raises(ValueError):
        makespan([1], 0)
    rows = {row["group"]: row for row in schedule_table([Job("a", "x", 5), Job("b", "y", 4), Job("b", "z", 3)], [2])}
    assert (rows["all"]["jobs"], rows["all"]["wall_2"], rows["b"]["wall_2"], rows["b"]["longest_seconds"]) == (3, 7, 4, 4)


def test_job_durations_by_hand():
    # 2 epochs × (ceil(10 / 4) = 3 updates × 0.5 s + 2 s of evaluation) + 1 s
    assert classifier_job_seconds(2, 10, 4, 0.5, 2.0, 1.0, test_passes=2) == 2 * (1.5 + 2.0 + 1.0)
    assert classifier_job_seconds(2, 10, 4, 0.5, 2.0, 1.0, test_passes=1) == 2 * (1.5 + 2.0) + 1.0
    timing = {"forward_seconds": 1.0, "seconds_per_new_token": 0.1, "micro_step_seconds": 2.0}
    train = {"max_steps": 20, "grad_accum": 4, "eval_every": 10}
    # before/after: 2 × 3 held-out × (1 + 5 × 0.1); 80 micro-steps × 2; 2 curve points × 3 × 1
    assert bloom_job_seconds(train, 3, 5, timing) == pytest.approx(9.0 + 160.0 + 6.0)


def test_thread_layout_by_hand():
    # 1 thread alone 1.0 s/update, 2 threads 0.6, 1 thread beside another 1.2: a seed of 600 s at
    # 2 threads is 6 seeds/hour; two 1-thread jobs finish 2 seeds in 600 × 1.2 / 0.6 = 1200 s: 6/hour
    layout = layout_summary([0.6, 0.6], [1.0, 1.0], [[1.2, 1.2], [1.1, 1.3]], 600.0, cores=2)
    assert layout["thread_scaling"] == pytest.approx(1 / 0.6) and layout["contention"] == pytest.approx(1.2)
    assert layout["seeds_per_hour"] == {"one_job_all_threads": pytest.approx(6.0), "one_job_per_core": pytest.approx(6.0)}
    faster_alone = layout_summary([0.8], [1.0], [[1.1], [1.1]], 600.0, cores=2)  # 2 threads scale poorly
    assert faster_alone["better"] == "one_job_per_core"
    assert faster_alone["seeds_per_hour"]["one_job_per_core"] == pytest.approx(2 * 3600 / (600 * 1.1 / 0.8))


def test_update_times_read_from_fairseq_lines():
    log = ("epoch 001:      1 / 6 loss=1, ups=0, wall=1\n"
           "epoch 001:      2 / 6 loss=1, ups=2.5, wall=1\n".replace("epoch", "train_inner | epoch")
           + "train_inner | epoch 001:      3 / 6 loss=1, ups=4, wall=1\n")
    assert update_seconds(log) == [0.4, 0.25]


def test_bench_target_runs_and_reports(tmp_path):
    workdir = make_workdir(tmp_path)
    run_snakemake(workdir, "bench", configfile="bench_tiny.yaml")
    result = json.loads((workdir / "benchmarks/benchmark.json").read_text())
    report = (workdir / "reports/benchmark.md").read_text()
    assert result["gemm_gflops"] > 0.1
    for path in ("stock", "fused_adamw", "length_grouped", "tuned", "tuned_torch_masks", "tuned_no_dropout"):
        run = result["runs"][path]
        assert 0 < run["seconds_per_update"] < run["wall"] and run["peak_rss_mb"] > 50
    # the stock run used fairseq's task, the grouped ones the plugin's (read from their logs)
    logs = workdir / "logs/benchmark"
    assert "'_name': 'sentence_prediction', " in (logs / "stock.log").read_text()
    assert "'_name': 'sentence_prediction_length_grouped'" in (logs / "tuned.log").read_text()
    # the dropout bound: the tuned flags with dropout 0, and its share of the tuned update
    text = (logs / "tuned_no_dropout.log").read_text()  # fairseq's Namespace, as it ran
    assert re.search(r"\bdropout=0\.0\b", text) and "attention_dropout=0.0" in text
    assert result["dropout_share"] == pytest.approx(1 - result["runs"]["tuned_no_dropout"]["seconds_per_update"]
                                                    / result["runs"]["tuned"]["seconds_per_update"])
    assert "tuned without dropout (a bound, not a lever)" in report
    # the masks' lever alone: stock and tuned_torch_masks draw torch's masks, tuned the config's (auto:
    # this CPU's), and each fairseq-train says which in its log (scripts/fairseq_plugin/dropout_masks.py)
    stream = "dropout masks: stream (a PCG64DXSM"
    masks = resolve("cpu", "fp32", "auto").dropout_masks
    assert result["dropout_masks"] == masks and f"dropout masks: {masks}" in report
    assert (stream in (logs / "tuned.log").read_text()) == (masks == "stream")
    assert stream not in (logs / "stock.log").read_text()
    assert result["masks_saving"] == pytest.approx(1 - result["runs"]["tuned"]["seconds_per_update"]
                                                   / result["runs"]["tuned_torch_masks"]["seconds_per_update"])
    if masks == "stream":
        assert stream not in (logs / "tuned_torch_masks.log").read_text()
    for name in ("stock", "tuned"):  # evaluation compute + start-up = the measured wall time
        assert 0 <= result["eval_compute_seconds"][name]["valid"] <= result["eval_compute_seconds"][name]["test"]
        assert result["eval_compute_seconds"][name]["valid"] + result["validate_startup_seconds"][name] == \
            pytest.approx(result["eval_wall_seconds"][f"{name}_valid"])
    assert result["tuned_over_floor"] == pytest.approx(
        result["seed_seconds"]["tuned"] / result["floor_seconds"]["tuned"])
    assert result["updates_per_epoch"] == 6  # 48 reviews / batch 8
    assert result["flops_per_seed"]["stock"] > result["flops_per_seed"]["tuned"]
    assert result["seed_seconds"]["stock"] / result["seed_seconds"]["tuned"] == pytest.approx(
        result["speedup_tuned_over_stock"])
    assert result["optimizer_step_ms"]["adamw_fused"] > 0 and result["hf_seconds_per_update"] > 0
    assert f"**{result['gemm_gflops']:.1f} GFLOPS**" in report
    assert "speed-up of tuned over stock" in report and "× floor" in report
    assert "+ length-grouped batches only" in report and "+ fused AdamW only" in report
    # the thread layout: the same first updates, 1 thread alone and two 1-thread jobs side by side
    layout = result["thread_layout"]
    assert layout["updates_compared"] == 3 and layout["cores"] == 2
    assert set(layout["seconds_per_update"]) == {"all_threads", "one_thread_alone", "one_thread_beside"}
    assert "'max_update': 4" in (logs / "layout_beside1.log").read_text()
    assert "## Thread layout on 2 cores" in report
    # the whole experiment: every job of the real `all` (fairseq and HF 2 inits × 3 seeds, 9 PEFT
    # methods × 3 seeds, BLOOM), each with a positive duration, scheduled no faster than its bound
    experiment = json.loads((workdir / "benchmarks/experiment.json").read_text())
    branches = [job["branch"] for job in experiment["jobs"]]
    assert [branches.count(b) for b in ("fairseq", "hf", "peft", "bloom")] == [6, 6, 27, 1]
    assert all(job["seconds"] > 0 for job in experiment["jobs"])
    for row in experiment["schedule"]:
        for slots in (2, 8):
            assert row[f"bound_{slots}"] <= row[f"wall_{slots}"] + 1e-9 <= row["job_seconds"] + 1e-6
    assert experiment["measured"]["bloom"]["quantized"] in (True, False)
    assert "## The whole experiment" in report and "the fairseq and HF branches (12 seeds) on 2 cores" in report
    # its FLOP floor: every job's FLOPs at the measured GEMM rate, and the prediction's ratio to it
    floor = experiment["floor"]
    assert floor["flops"] == sum(job["flops"] for job in experiment["jobs"])
    assert set(floor["by_branch"]) == {"fairseq", "hf", "peft", "bloom"}
    assert floor["seconds"] == pytest.approx(floor["flops"] / (result["gemm_gflops"] * 1e9))
    everything = next(row for row in experiment["schedule"] if row["group"] == "all")
    assert floor["predicted_over_floor"] == pytest.approx(everything[f"wall_{experiment['slots']['2']}"] / floor["seconds"])
    assert f"is **{floor['predicted_over_floor']:.2f}×** that" in report
    job_flops = {(job["branch"], job["name"]): job["flops"] for job in experiment["jobs"]}
    # full fine-tuning is the HF seed's work; a method that freezes the encoder's weights does less
    assert job_flops["peft", "full seed 0"] == job_flops["hf", "pretrained seed 0"] > job_flops["peft", "bitfit seed 0"]
    # a fairseq job testing once: the seed's FLOPs, its predictions.tsv pass being that one test pass
    assert job_flops["fairseq", "pretrained seed 0"] == result["flops_per_seed"]["tuned"]
    # BLOOM's activations at max_length fit its job's memory: no recomputation, none in its floor
    assert experiment["measured"]["bloom"]["recompute"] is False
    assert experiment["measured"]["bloom"]["recompute_why"].startswith("auto: the activations")
    # each job against its own floor: its time alone over its FLOPs at the jobs' thread count's GEMM rate
    measured, gemm = experiment["measured"], experiment["gemm_gflops_job"] * 1e9
    full = next(job for job in experiment["jobs"] if job["name"] == "full seed 0")
    assert measured["peft/full"]["over_floor"] == pytest.approx(
        full["seconds"] / measured["peft/full"]["slowdown"] / (full["flops"] / gemm))
    # side by side, per branch: each step in fresh 1-thread processes, alone and two at once; full
    # fine-tuning takes the HF branch's factor, the other methods the PEFT branch's (its first, BitFit)
    assert {key for key, value in measured.items() if "side_by_side" in value} == {"hf", "peft/bitfit", "bloom"}
    peft = measured["peft/bitfit"]["side_by_side"]
    assert measured["peft/ia3"]["slowdown"] == peft["slowdown"]
    assert measured["peft/full"]["slowdown"] == measured["hf"]["side_by_side"]["slowdown"]
    for result, steps in ((measured["hf"]["side_by_side"], 3), (peft, 3), (measured["bloom"]["side_by_side"], 1)):
        assert result["copies"] == 2 and result["steps"] == steps and result["alone_seconds"] > 0
        assert result["slowdown"] == pytest.approx(result["beside_seconds"] / result["alone_seconds"])
    assert "### Side by side" in report and f"| {peft['slowdown']:.3f} |" in report
    bloom = measured["bloom"]
    assert (0 < bloom["dequantize_share"] < 1) if bloom["quantized"] else bloom["dequantize_share"] == 0
    assert all(measured[key]["over_floor"] > 0 for key in measured)
    hf = measured["hf"]  # the HF step without dropout, a bound as fairseq's tuned_no_dropout
    assert hf["dropout_share"] == pytest.approx(1 - hf["step_seconds_no_dropout"] / hf["step_seconds"])
    assert f"({hf['step_seconds_no_dropout']:.3f} without dropout, a bound" in report
    assert "| PEFT full | 3 | " in report and f" | {measured['peft/full']['over_floor']:.2f} | " in report


def test_without_dropout_turns_off_every_dropout_the_attentions_too():
    # in training mode, two passes of a model with any dropout left on differ
    import torch

    from ftlib.bench.steps import roberta_classifier, without_dropout

    torch.manual_seed(0)
    ids = torch.randint(5, 100, (2, 12))
    model = roberta_classifier(2, 32, 64, 4, 100).train()
    assert not torch.equal(model(input_ids=ids).logits, model(input_ids=ids).logits)
    off = without_dropout(model)
    assert torch.equal(off(input_ids=ids).logits, off(input_ids=ids).logits)
    assert torch.allclose(off(input_ids=ids).logits, off.eval()(input_ids=ids).logits, atol=1e-6)
