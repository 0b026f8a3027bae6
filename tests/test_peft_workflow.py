"""The PEFT stage in the workflow: job layout, and the reduced demo run (BitFit and LoRA r=4,
one seed, two epochs; tests/configs/demo_small.yaml) whose report must be the runs' own logs."""
import json
import re

import yaml

from conftest import REPO, job_counts, logged_accuracies, make_workdir, run_snakemake
from ftlib.accounting import peft as peft_accounting  # first: it hides the broken torchaudio

CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())


def test_dry_runs_one_job_per_method_and_seed(tmp_path):
    workdir = make_workdir(tmp_path)
    demo = job_counts(run_snakemake(workdir, "-n", "reports/demo/peft_report.md", configfile=None).stdout)
    assert demo["finetune_peft"] == 9 * 2 and demo["count_peft_parameters"] == demo["report_peft"] == 1
    real = job_counts(run_snakemake(workdir, "-n", "reports/cls-books/peft_report.md", "--config", "tasks=[cls-books]",
                                    configfile=None).stdout)
    assert real["finetune_peft"] == 9 * 3 and real["convert_checkpoint_to_hf"] == 1


def test_peft_report_numbers_come_from_the_runs_own_logs(demo_run):
    report = (demo_run / "reports/demo/peft_report.md").read_text()
    table = (demo_run / "reports/demo/peft_runs.tsv").read_text().splitlines()
    header = table[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in table[1:]]
    assert [(r["method"], r["seed"]) for r in rows] == [("bitfit", "0"), ("lora_q_r4", "0")]

    from transformers import AutoConfig

    shape = peft_accounting.arch_from_hf_config(AutoConfig.from_pretrained(demo_run / "models/demo/hf_pretrained"))
    specs = {"bitfit": {"kind": "bitfit"},
             "lora_q_r4": {"kind": "lora", "r": 4, "alpha": 8, "target_modules": ["query"]}}
    for row in rows:
        method = row["method"]
        run = demo_run / f"runs/demo/peft/demo-roberta/{method}/seed0"
        valid, test = logged_accuracies(run / "tensorboard", "valid"), logged_accuracies(run / "tensorboard", "test")
        assert len(valid) == len(test) == 2  # 2 epochs
        best = max(i for i, v in enumerate(valid) if v == max(valid))  # ties: the later epoch
        assert float(row["best_valid_accuracy"]) == valid[best] and float(row["test_accuracy"]) == test[best]
        assert f"| {method} | 0 | {best + 1} | {valid[best]:.1f} | {test[best]:.1f} |" in report
        # the job's text log says the same, epoch by epoch, and names the trainable count
        log = (demo_run / f"logs/demo/finetune_peft/demo-roberta/{method}_seed0.log").read_text()
        logged = [float(x) for x in re.findall(r"epoch \d+ update \d+: test accuracy ([\d.]+)", log)]
        assert logged == test
        trainable = int(re.search(r"trainable ([\d,]+) of", log).group(1).replace(",", ""))
        assert trainable == int(row["trainable_params"]) == peft_accounting.formula(shape, specs[method])["trainable"]
        assert f"| {method} | {trainable:,} |" in report
        metrics = json.loads((run / "metrics.json").read_text())
        overrides = CONFIG["peft"]["demo"]["hp"][method]  # the method's overrides of the recipe
        assert metrics["hp"]["lr"] == overrides["lr"] and metrics["hp"]["batch_size"] == overrides["batch_size"]
        # the best-valid epoch's predictions, one per test review, give its test accuracy
        gold = [json.loads(line)["label"] for line in (demo_run / "data/demo/jsonl/test.jsonl").open()]
        predicted = metrics["test_predictions"]
        assert len(predicted) == len(gold)
        assert round(100 * sum(p == str(g) for p, g in zip(predicted, gold)) / len(gold), 1) == test[best]
        assert abs(float(row["wall_seconds_per_epoch"]) - metrics["wall_seconds"] / 2) < 0.01
        assert float(row["peak_rss_mb"]) > 100
    # the accuracy on reviews with and without a negated opinion, from those predictions
    assert "## Where the accuracy goes: reviews with a negated opinion" in report
    assert re.search(r"\| bitfit \| [\d.]+ \| [\d.]+ \| [+-][\d.]+ \|", report)
    # the exact accounting, in the same report
    assert "| bert-base-uncased | LoRA r=1 on query | trainable | 19,970 |" in report
    assert "| t5-small | prompt 10 tokens (encoder only) | added | 5,120 |" in report
    assert "| bloom-560m | LoRA r=16 on query_key_value | added | 1,572,864 |" in report
    assert "| full | 0 | 23,093,250 |" in report  # roberta_small, full fine-tuning
    png = (demo_run / "reports/demo/peft_accuracy_vs_params.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_the_demo_peft_report_shows_the_studies_for_scale_from_the_presets(demo_run):
    """No published accuracy in code: the summary's last column is the presets' peft.study rows of
    each method's kind (another model and task: no verdict)."""
    report = (demo_run / "reports/demo/peft_report.md").read_text()
    assert "| other studies (for scale: no verdict) |" in report
    assert re.search(r"\| lora_q_r4 \|.*\| bert-base-uncased: mrpc 80\.0, sst2 90\.0; roberta-base: rte 72\.6, "
                     r"sst2 92\.3; t5-small: sst2 88\.9 \|$", report, re.MULTILINE)
    assert "## The study:" not in report  # the default config reproduces no study
