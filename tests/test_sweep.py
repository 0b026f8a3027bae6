"""Sweeps that keep every result: each setting of sweep.<mode>.grid in its own folder named by its
values (Paramspace), a report of every setting, and a changed value reruns only its own jobs."""
import json
from pathlib import Path

from conftest import CONFIGS, job_counts, run_snakemake, seed_workdir

GRID = "sweep:\n  demo:\n    init: pretrained\n    seeds: [0]\n    grid:\n      lr: [{}, {}]\n"


def sweep_args(config: Path, *extra):
    return ("sweep", *extra, "--configfile", str(CONFIGS / "demo_small.yaml"), str(config))


def test_a_sweep_keeps_each_setting_in_its_own_folder_and_reruns_only_what_changed(demo_run, tmp_path):
    work = seed_workdir(demo_run, tmp_path / "work")
    config = tmp_path / "sweep.yaml"
    config.write_text(GRID.format("5.0e-4", "1.0e-3"))
    run_snakemake(work, *sweep_args(config, "--allowed-rules", "finetune_fairseq_sweep", "gather_group_runs",
                                    "report_sweep"), configfile=None)

    runs = {lr: work / f"runs/demo/fairseq/pretrained/lr~{lr}/seed0" for lr in ("0.0005", "0.001")}
    records = {lr: json.loads((run / "run.json").read_text()) for lr, run in runs.items()}
    assert {lr: r["hp.lr"] for lr, r in records.items()} == {"0.0005": 5.0e-4, "0.001": 1.0e-3}
    assert records["0.0005"]["recipe_hash"] != records["0.001"]["recipe_hash"]
    report = (work / "reports/demo/sweep.md").read_text()
    for lr, record in records.items():
        assert f"lr~{lr}" in report and f"{record['test_accuracy']:.1f}" in report
    top = max(r["best_valid_accuracy"] for r in records.values())
    best = next(lr for lr in ("0.0005", "0.001") if records[lr]["best_valid_accuracy"] == top)  # ties: grid order
    assert f"**Best setting: lr~{best}**" in report
    assert (work / "reports/demo/sweep_expected_max.png").read_bytes()[:4] == b"\x89PNG"

    config.write_text(GRID.format("5.0e-4", "2.0e-3"))  # one value changed: only its setting runs
    dry = run_snakemake(work, *sweep_args(config, "-n"), configfile=None)
    assert job_counts(dry.stdout) == {"finetune_fairseq_sweep": 1, "gather_group_runs": 1, "report_sweep": 1,
                                      "sweep": 1, "total": 4}
    assert "lr=0.002" in dry.stdout and (runs["0.001"] / "metrics.json").is_file()  # the old setting stays
