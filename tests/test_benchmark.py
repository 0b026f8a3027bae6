"""The benchmark target runs end to end and its numbers hang together (not a timed test)."""
import json

import pytest

from conftest import make_workdir, run_snakemake
from ftlib.fairseq.flops import forward_flops, seed_flops, train_flops


def test_flop_count_of_one_sequence_by_hand():
    # 1 layer, D=4, F=8, T=3: projections/FFN 2*3*(4*16+2*32) = 768, attention 4*9*4 = 144,
    # head 2*(16+8) = 48
    assert forward_flops([3], layers=1, dim=4, ffn=8) == 768 + 144 + 48
    assert train_flops([3], 1, 4, 8) == 3 * (768 + 144 + 48)
    once = seed_flops([3], [3], [3], 2, 1, 4, 8, test_every_epoch=False)
    every = seed_flops([3], [3], [3], 2, 1, 4, 8, test_every_epoch=True)
    assert every - once == forward_flops([3], 1, 4, 8)  # one test pass saved over 2 epochs


def test_bench_target_runs_and_reports(tmp_path):
    workdir = make_workdir(tmp_path)
    run_snakemake(workdir, "bench", configfile="bench_tiny.yaml")
    result = json.loads((workdir / "benchmarks/benchmark.json").read_text())
    report = (workdir / "reports/benchmark.md").read_text()
    assert result["gemm_gflops"] > 0.1
    for path in ("stock", "fused_adamw", "length_grouped", "tuned"):
        run = result["runs"][path]
        assert 0 < run["seconds_per_update"] < run["wall"] and run["peak_rss_mb"] > 50
    # the stock run used fairseq's task, the grouped ones the plugin's (read from their logs)
    logs = workdir / "logs/benchmark"
    assert "'_name': 'sentence_prediction', " in (logs / "stock.log").read_text()
    assert "'_name': 'sentence_prediction_length_grouped'" in (logs / "tuned.log").read_text()
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
