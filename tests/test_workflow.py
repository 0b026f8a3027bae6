"""The workflow itself, run with the real Snakemake and the real fairseq CLI."""
import json
import re

from conftest import job_counts, logged_accuracies, make_workdir, run_snakemake


def test_dry_run_of_the_demo_config(tmp_path):
    proc = run_snakemake(make_workdir(tmp_path), "-n", "all", configfile=None)
    counts = job_counts(proc.stdout)
    assert counts["finetune_fairseq"] == 6  # 2 inits x 3 seeds
    assert counts["pretrain_demo_mlm"] == 1 and counts["prepare_split"] == 3
    assert "download" not in counts
    assert counts["report_summary"] == 1  # one task: the summary with its verdicts all the same
    assert "tasks demo (mode demo; config tasks: auto)" in proc.stderr + proc.stdout


def test_dry_run_of_the_real_config(tmp_path):
    for switch in ("tasks=[cls-books]", "mode=real"):  # the former switch stands for the task list
        proc = run_snakemake(make_workdir(tmp_path), "-n", "all", "--config", switch, configfile=None)
        counts = job_counts(proc.stdout)
        assert counts["download"] == 2  # the checkpoint's archive and the task's
        assert "data/downloads/checkpoint.zip" in proc.stdout
        assert counts["import_task"] == 1 and counts["unpack_real_checkpoint"] == 3
        assert counts["finetune_fairseq"] == 6 and "pretrain_demo_mlm" not in counts
        assert "data/downloads/cls.books.zip" in proc.stdout
        assert "runs/cls-books/fairseq/pretrained/seed0/metrics.json" in proc.stdout


def test_two_tasks_side_by_side(tmp_path):
    """One run, two tasks: each its own data, runs and reports; one checkpoint per mode."""
    proc = run_snakemake(make_workdir(tmp_path), "-n", "all", "--config", "tasks=[demo,cls-books]",
                         configfile=None)
    counts = job_counts(proc.stdout)
    assert counts["finetune_fairseq"] == 12 and counts["report_fairseq"] == 2
    assert counts["check_checkpoint"] == 2 and counts["report_bloom"] == 2  # demo and real
    for task in ("demo", "cls-books"):
        assert f"reports/{task}/statistics.md" in proc.stdout
        assert f"data/{task}/bin" in proc.stdout


def test_hand_placed_real_files_need_no_download(tmp_path):
    workdir = make_workdir(tmp_path)
    for split in ("train", "valid", "test"):
        for ext in ("review", "label"):
            path = workdir / "data/cls-books/raw" / f"{split}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("1\n")
    proc = run_snakemake(workdir, "-n", "all", configfile=None)  # tasks auto: checkpoint still missing
    assert "tasks demo (mode demo" in proc.stderr + proc.stdout
    proc = run_snakemake(workdir, "-n", "all", "--config", "tasks=[cls-books]", configfile=None)
    counts = job_counts(proc.stdout)
    assert counts["download"] == 1 and "data/downloads/checkpoint.zip" in proc.stdout  # the checkpoint only
    assert "import_task" not in counts and "data/downloads/cls.books.zip" not in proc.stdout


def test_demo_end_to_end_report_comes_from_the_runs_own_logs(demo_run):
    report = (demo_run / "reports/demo/fairseq_report.md").read_text()
    table = (demo_run / "reports/demo/fairseq_runs.tsv").read_text().splitlines()
    header = table[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in table[1:]]
    assert sorted(r["init"] for r in rows) == ["pretrained", "scratch"]
    for row in rows:
        run = demo_run / f"runs/demo/fairseq/{row['init']}/seed{row['seed']}"
        valid, test = logged_accuracies(run / "tensorboard", "valid"), logged_accuracies(run / "tensorboard", "test")
        assert len(valid) == len(test) == 1  # 1 epoch
        assert float(row["test_accuracy"]) == test[0] and float(row["best_valid_accuracy"]) == valid[0]
        assert f"| {row['init']} | {row['seed']} | 1 | {valid[0]:.1f} | {test[0]:.1f} |" in report
        # ... and the same numbers as fairseq's own text log of that run
        log = (demo_run / f"logs/demo/finetune_fairseq/{row['init']}_seed{row['seed']}.log").read_text()
        logged = re.findall(r"valid on 'test' subset \| loss [\d.]+ \| nll_loss [\d.]+ \| accuracy ([\d.]+)", log)
        assert [float(x) for x in logged] == test
        assert "# threads: 1" in log
        assert "Please install tensorboardX" not in log  # pinned: fairseq's task registry imports it
        assert (run / "checkpoint_best.pt").stat().st_size > 0
    # the test reviews by kind (plain, mixed, label noise): they add up to the test split and to
    # each run's accuracy
    section = report.split("## Where the errors are")[1].split("\n## ")[0]
    kinds = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
             if line.startswith("| ") and not line.startswith("| test review")]
    assert [k[0] for k in kinds] == ["plain", "mixed", "label noise"]
    assert sum(int(k[1]) for k in kinds) == 100
    for row, column in ((r, 2 + 2 * ["pretrained", "scratch"].index(r["init"])) for r in rows):
        pooled = sum(int(k[1]) * float(k[column]) for k in kinds) / 100
        assert abs(pooled - float(row["test_accuracy"])) < 0.2
    params = json.loads((demo_run / "reports/demo/parameters.json").read_text())["encoders"]
    assert params[0]["counted"] == params[0]["formula"] == 22_829_056
    assert "| roberta_small | 4 | 512 | 512 | 32000 | 256 | 22,829,056 | 22,829,056 |" in report
    png = (demo_run / "reports/demo/fairseq_valid_accuracy.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_a_one_task_run_writes_the_summary_with_a_verdict_column(demo_run):
    """The demo's references are CLS-books' (the sheet's references_for: scale): shown, never judged;
    its PEFT methods get the preset studies' numbers of their kind, for scale too."""
    summary = (demo_run / "reports/summary.md").read_text()
    header = "| task | branch | init or method | this run (mean ± sample std, n) | 95 % t-interval | " \
             "reference (source and value) | verdict |"
    assert header in summary and (demo_run / "reports/summary.png").stat().st_size > 1000
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in summary.splitlines()
            if line.startswith("| demo |")]
    runs = json.loads((demo_run / "runs/demo/fairseq/pretrained/seed0/metrics.json").read_text())
    assert ["demo", "fairseq", "pretrained", f"{runs['test_accuracy']:.1f} (n=1)", "n/a",
            "report A: 81.1 ± 1.67", "for scale: no verdict"] in rows
    assert {(r[1], r[2]) for r in rows} == {("fairseq", "pretrained"), ("fairseq", "scratch"), ("hf", "pretrained"),
                                            ("hf", "scratch"), ("peft", "bitfit"), ("peft", "lora_q_r4")}
    assert all(r[6] in ("for scale: no verdict", "—") for r in rows)
    bitfit = next(r for r in rows if r[2] == "bitfit")  # config/presets/: bert-base and roberta-base BitFit
    assert bitfit[5:] == ["other studies: bert-base-uncased: mrpc 80.0, sst2 90.0; roberta-base: rte 74.0, sst2 89.2",
                          "for scale: no verdict"]
    report = (demo_run / "reports/demo/fairseq_report.md").read_text()
    assert "| init | seeds | this run (± population std) | report A | verdict vs report A | report B |" in report
    assert "| 67.7 ± 0.31 | for scale: no verdict |" in report  # scratch beside report A


def test_pretrained_run_restored_the_demo_checkpoint(demo_run):
    log = (demo_run / "logs/demo/finetune_fairseq/pretrained_seed0.log").read_text()
    assert "Loaded checkpoint" in log and "models/demo/pretrained/model.pt" in log
    scratch = (demo_run / "logs/demo/finetune_fairseq/scratch_seed0.log").read_text()
    assert "Loaded checkpoint" not in scratch


def test_a_finished_workflow_has_nothing_to_do(demo_run):
    proc = run_snakemake(demo_run, "-n", "all")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_every_job_logged_what_it_did(demo_run):
    # one way for every script (run_step copies stdout and stderr into the log): `tail -f` follows a job
    logs = sorted((demo_run / "logs/demo").rglob("*.log"))
    assert len(logs) >= 25
    assert [str(log.relative_to(demo_run)) for log in logs if not log.read_text().strip()] == []
    fairseq = (demo_run / "logs/demo/finetune_fairseq/pretrained_seed0.log").read_text()
    assert fairseq.count("fairseq-train ") == 1  # each line once, not once per copy
