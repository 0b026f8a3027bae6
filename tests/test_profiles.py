"""Running where users run: the local and SLURM profiles, single-seed reruns, the HTML report."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, job_counts, make_workdir, run_snakemake, seed_workdir, snakemake_env

LOCAL_SLURM = REPO / "tools/slurm/local_slurm.sh"
SLURM_TEST_FLAGS = [
    # the local SLURM has no accounting database: poll with squeue, not sacct (which would
    # wait forever), and check often so that the test does not idle
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "2",
    "--seconds-between-status-checks", "2",
]


@pytest.mark.parametrize("profile", ["local", "slurm"])
def test_dry_run_with_each_profile(tmp_path, profile):
    proc = run_snakemake(make_workdir(tmp_path), "-n", "all", "--profile", str(REPO / "profiles" / profile))
    counts = job_counts(proc.stdout)
    assert counts["finetune_fairseq"] == 2 and counts["report_fairseq"] == 1
    if profile == "slurm":
        assert "slurm_partition=main" in proc.stdout  # the profile's default resources reach the jobs


def test_rerunning_one_seed_reruns_it_and_the_report_only(demo_run):
    target = "runs/demo/fairseq/pretrained/seed0/metrics.json"
    proc = run_snakemake(demo_run, "-n", "all", "--forcerun", target)
    # that seed, and the tables and reports that aggregate fairseq seeds (runs/fairseq.csv, fairseq's
    # report, fairseq-vs-HF, runs.csv, statistics, the summary with its verdicts)
    assert job_counts(proc.stdout) == {"finetune_fairseq": 1, "report_fairseq": 1, "report_hf_comparison": 1,
                                       "gather_group_runs": 1, "gather_runs": 1, "report_statistics": 1,
                                       "report_summary": 1, "all": 1, "total": 8}
    assert "init=pretrained, seed=0" in proc.stdout and "init=scratch" not in proc.stdout


def test_a_seeds_lost_result_reruns_that_seed_and_the_report_only(demo_run, tmp_path):
    # a copy, so that the session's demo run stays complete for the other tests
    workdir = tmp_path / "copy"
    shutil.copytree(demo_run, workdir, symlinks=True)
    (workdir / "runs/demo/fairseq/scratch/seed0/metrics.json").unlink()
    proc = run_snakemake(workdir, "-n", "runs/demo/fairseq/scratch/seed0/metrics.json", "all")
    assert job_counts(proc.stdout) == {"finetune_fairseq": 1, "report_fairseq": 1, "report_hf_comparison": 1,
                                       "gather_group_runs": 1, "gather_runs": 1, "report_statistics": 1,
                                       "report_summary": 1, "all": 1, "total": 8}
    assert "init=scratch, seed=0" in proc.stdout and "init=pretrained" not in proc.stdout


def test_report_has_the_benchmark_table(demo_run):
    report = (demo_run / "reports/demo/fairseq_report.md").read_text()
    bench = (demo_run / "benchmarks/demo/finetune_fairseq/pretrained_seed0.tsv").read_text().splitlines()
    header, values = bench[0].split("\t"), bench[1].split("\t")
    wall, rss = float(values[header.index("s")]), float(values[header.index("max_rss")])
    assert f"| pretrained_seed0 | {wall:.0f} | {rss:.0f} |" in report
    assert rss > 50  # a real measured process, not a placeholder


def test_snakemake_html_report_contains_the_plots(demo_copy):
    demo_run = demo_copy  # the report is written into a copy of the session's demo run
    html = demo_run / "reports/report.html"
    run_snakemake(demo_run, "--report", str(html))
    text = html.read_text(errors="replace")
    assert "fairseq_valid_accuracy.png" in text
    for name in ("comparison_lr.png", "peft_accuracy_vs_params.png", "bloom_loss.png", "runs.csv", "statistics.md"):
        assert name in text, name  # every branch's outputs, and the table of every run
    assert "data:image/png;base64" in text or "image/png" in text
    assert "System Message" not in text  # no docutils warning on the front page or any caption
    assert "else the demo): demo;" in text  # the tasks requested (summary.md: those that ran)


def slurm_unavailable_reason():
    if shutil.which("slurmctld") and shutil.which("munged"):
        return None
    if os.geteuid() != 0:
        return "SLURM is not installed and installing it needs root"
    if not shutil.which("apt-get"):
        return "SLURM is not installed and there is no apt-get to install it"
    return None


@pytest.fixture(scope="module")
def local_slurm():
    reason = slurm_unavailable_reason()
    if reason:
        print(f"SKIP SLURM test: {reason}")
        pytest.skip(reason)
    proc = subprocess.run(["bash", str(LOCAL_SLURM), "start"], capture_output=True, text=True)
    if proc.returncode != 0:
        reason = f"a local SLURM could not be started: {(proc.stderr or proc.stdout).strip()[-300:]}"
        print(f"SKIP SLURM test: {reason}")
        pytest.skip(reason)
    conf = subprocess.run(["bash", str(LOCAL_SLURM), "conf"], capture_output=True, text=True).stdout.strip()
    yield
    subprocess.run(["bash", str(LOCAL_SLURM), "stop"], capture_output=True, text=True)
    # left behind, it made every later snakemake command wait ~9 s (the executor plugin's scontrol)
    assert not Path(conf).exists(), f"{conf} left behind by local_slurm.sh stop"


def slurm_job_ids(workdir: Path) -> dict:
    """{rule: [SLURM job ids]} from the executor's per-rule log folders."""
    logs = workdir / ".snakemake/slurm_logs"
    # rule_<name>/<jobid>.log, or rule_<name>/<wildcard values>/<jobid>.log
    return {d.name.removeprefix("rule_"): sorted(p.stem for p in d.rglob("*.log"))
            for d in logs.iterdir() if d.is_dir()}


def relative_files(root: Path, folders) -> set:
    """Files under ``folders``; TensorBoard event files named without their time/host/pid part."""
    files = set()
    for folder in folders:
        for path in (root / folder).rglob("*"):
            if path.is_file():
                name = "events.out.tfevents" if path.name.startswith("events.out.tfevents") else path.name
                files.add(str(path.parent.relative_to(root) / name))
    return files


def test_demo_seed_runs_as_slurm_jobs(local_slurm, demo_run, tmp_path):
    # the demo's inputs as the session's demo run built them (its reviews, its pretrained
    # checkpoint and the masked LM's steps), as a user's placed files: from there on, every step
    # of the fairseq branch's one-seed demo (other branches ask for GPUs this node does not have)
    workdir = seed_workdir(demo_run, tmp_path / "slurm")
    shutil.copytree(demo_run / "runs/demo/mlm", workdir / "runs/demo/mlm")
    for built in ("prepared", "bin", "jsonl"):
        shutil.rmtree(workdir / "data/demo" / built, ignore_errors=True)
    # fine-tuning at 2 threads: its sbatch call must ask for 2 CPUs (the rule's threads)
    run_snakemake(workdir, "reports/demo/fairseq_report.md", "--profile", str(REPO / "profiles/slurm"),
                  "--slurm-keep-successful-logs", *SLURM_TEST_FLAGS, "--set-threads", "finetune_fairseq=2")
    jobs = slurm_job_ids(workdir)
    assert {"prepare_split", "binarize_splits", "finetune_fairseq", "probe_checkpoint"} <= set(jobs)
    assert "pretrain_demo_mlm" not in jobs  # its outputs were placed
    assert "report_fairseq" not in jobs  # a local rule: on the submitting node
    assert len(jobs["finetune_fairseq"]) == 2
    sacct = subprocess.run(["sacct", "-c", "-n", "-P", "-o", "JobID,State,AllocCPUS"], capture_output=True,
                           text=True, env=snakemake_env(), check=True).stdout
    states = {line.split("|")[0]: line.split("|")[1:3] for line in sacct.splitlines() if "|" in line}
    for rule, ids in jobs.items():
        for job_id in ids:
            state, cpus = states.get(job_id, [None, None])
            assert state == "COMPLETED", (rule, job_id, state)
            assert cpus == ("2" if rule == "finetune_fairseq" else "1"), (rule, job_id, cpus)
    # the same outputs as the local run, file for file
    folders = ["runs/demo/fairseq", "runs/demo/mlm", "data/demo/raw", "data/demo/prepared", "data/demo/bin",
               "data/demo/mlm_bin", "models/demo/pretrained"]
    assert relative_files(workdir, folders) == relative_files(demo_run, folders)
    for name in ("fairseq_report.md", "fairseq_runs.tsv", "fairseq_valid_accuracy.png", "parameters.json"):
        assert (workdir / "reports/demo" / name).exists() and (demo_run / "reports/demo" / name).exists()
    log = (workdir / "logs/demo/finetune_fairseq/pretrained_seed0.log").read_text()
    assert re.search(r"# threads: 2\b", log)
