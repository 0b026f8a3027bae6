"""The tuned fairseq path computes what the stock one does (the benchmark's "same math")."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONFIGS, run_snakemake, seed_workdir, snakemake_env
from ftlib.core.recipe import Recipe
from ftlib.fairseq.commands import finetune_command, validate_command
from ftlib.core.metrics import read_scalars, run_metrics
from ftlib.core.runs_table import hp

HP = dict(arch="roberta_demo", num_classes=2, init_token=0, separator_token=2, max_positions=256,
          batch_size=8, lr=5e-4, max_epoch=2, warmup_ratio=0.06, adam_betas=[0.9, 0.98], adam_eps=1e-8,
          weight_decay=0.01, clip_norm=0.0, dropout=0.0, attention_dropout=0.0, log_interval=1)


def fairseq(cmd, log: Path):
    tool = Path(sys.executable).parent / cmd[0]
    proc = subprocess.run([str(tool), *cmd[1:]], env=snakemake_env(), capture_output=True, text=True)
    log.write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def train(demo_run, out: Path, **levers):
    n_train = len((demo_run / "data/demo/prepared/train.label").read_text().splitlines())
    cmd = finetune_command(Recipe.from_config(HP, **levers), demo_run / "data/demo/bin", out, out / "tb", seed=3,
                           n_train=n_train, restore_file=demo_run / "models/demo/pretrained/model.pt")
    fairseq(cmd, out.with_suffix(".log"))
    return [loss for _, loss in read_scalars(out / "tb", "train_inner", "loss")]


@pytest.fixture(scope="module")
def stock_and_tuned(demo_run, tmp_path_factory):
    root = tmp_path_factory.mktemp("tuned")
    stock = train(demo_run, root / "stock", optimizer="adam", test_eval="every_epoch")
    tuned = train(demo_run, root / "tuned", optimizer="adamw_fused", test_eval="best_checkpoint")
    return root, stock, tuned


def test_fused_adamw_follows_fairseqs_adam_loss_curve(stock_and_tuned):
    root, stock, tuned = stock_and_tuned
    assert len(stock) == len(tuned) >= 10
    assert stock[0] == tuned[0]  # same init, same batch: identical before any update
    for a, b in zip(stock, tuned):
        assert b == pytest.approx(a, rel=2e-3)
    assert "adamw_fused" in (root / "tuned.log").read_text()


def test_best_checkpoint_test_equals_the_best_epochs_test(stock_and_tuned, demo_run):
    root = stock_and_tuned[0]
    per_epoch = run_metrics(root / "stock" / "tb")  # test evaluated after every epoch
    out = fairseq(validate_command(Recipe.from_config(HP), demo_run / "data/demo/bin", root / "stock" / "checkpoint_best.pt"),
                  root / "validate.log")
    once = float(re.findall(r"valid on 'test' subset \| .*?\| accuracy ([\d.]+)", out)[0])
    assert once == per_epoch["test_accuracy"]
    # the tuned run logged no test events: its test number comes from the one evaluation
    assert read_scalars(root / "tuned" / "tb", "test", "accuracy") == []
    assert len(read_scalars(root / "tuned" / "tb", "valid", "accuracy")) == HP["max_epoch"]


def test_the_tuned_jobs_one_test_pass_reports_what_fairseq_validate_says(demo_run, tmp_path):
    """A tuned job evaluates test once, reading its accuracy off the predictions of
    checkpoint_best.pt: the real CLI on the same checkpoint gives the same number."""
    work = seed_workdir(demo_run, tmp_path / "tuned")
    target = "runs/demo/fairseq/pretrained/seed0/metrics.json"
    run_snakemake(work, target, "--config", "finetune={demo: {optimizer: adamw_fused, test_eval: best_checkpoint}}")
    run = work / "runs/demo/fairseq/pretrained/seed0"
    record = json.loads((run / "run.json").read_text())
    assert record["hp.test_eval"] == "best_checkpoint"
    recipe = Recipe.from_config({k[3:]: hp(record, k[3:]) for k in record if k.startswith("hp.")})
    out = fairseq(validate_command(recipe, work / "data/demo/bin", run / "checkpoint_best.pt"),
                  tmp_path / "validate.log")
    once = float(re.findall(r"valid on 'test' subset \| .*?\| accuracy ([\d.]+)", out)[0])
    assert json.loads((run / "metrics.json").read_text())["test_accuracy"] == once
    assert "fairseq-validate" not in (work / "logs/demo/finetune_fairseq/pretrained_seed0.log").read_text()


def test_tuned_vs_stock_target_reruns_the_stock_recipe_and_reports(demo_copy):
    demo_run = demo_copy  # the stock runs are added to a copy of the session's demo run
    run_snakemake(demo_run, "tuned_vs_stock")
    report = (demo_run / "reports/demo/tuned_vs_stock.md").read_text()
    assert "`batching` shuffled → length_grouped" in report  # the reduced demo's one lever
    for init in ("pretrained", "scratch"):
        stock = json.loads((demo_run / f"runs/demo/fairseq_stock/{init}/seed0/metrics.json").read_text())
        tuned = json.loads((demo_run / f"runs/demo/fairseq/{init}/seed0/metrics.json").read_text())
        assert f"| {init} | 0 | {stock['test_accuracy']:.1f} | {tuned['test_accuracy']:.1f} |" in report
    logs = demo_run / "logs/demo"
    assert "'task': {'_name': 'sentence_prediction', " in (logs / "finetune_fairseq_stock/scratch_seed0.log").read_text()
    assert "'task': {'_name': 'sentence_prediction_length_grouped'" in (logs / "finetune_fairseq/scratch_seed0.log").read_text()
    assert (demo_run / "reports/demo/tuned_vs_stock_loss.png").stat().st_size > 10_000


@pytest.mark.parametrize("run", ["hf/pretrained", "peft/demo-roberta/bitfit"])
def test_hf_and_peft_test_once_on_the_best_valid_weights_as_after_every_epoch(demo_run, tmp_path, run):
    """test_eval best_checkpoint in the HF branch (and so PEFT): the same test predictions as
    evaluating test after every epoch and reading the best-valid epoch's, from one evaluation."""
    target = f"runs/demo/{run}/seed0/metrics.json"
    results = {}
    for test_eval in ("every_epoch", "best_checkpoint"):
        extra = tmp_path / f"{test_eval}.yaml"
        extra.write_text(f"finetune:\n  demo: {{max_epoch: 6, test_eval: {test_eval}}}\n"
                         "peft:\n  demo:\n    hp:\n      all: {max_epoch: 6}\n")
        work = seed_workdir(demo_run, tmp_path / test_eval)
        run_snakemake(work, target, "--configfile", str(CONFIGS / "demo_small.yaml"), str(extra), configfile=None)
        metrics = json.loads((work / target).read_text())
        predictions = (work / target).with_name("predictions.tsv").read_text()
        tests = read_scalars(work / target.replace("metrics.json", "tensorboard"), "test", "accuracy")
        results[test_eval] = metrics, predictions, tests
    (every, every_predictions, every_tests), (once, once_predictions, once_tests) = results.values()
    assert len(every_tests) == 6 and once_tests == []  # one test evaluation, after training
    assert [e["valid_accuracy"] for e in once["epochs"]] == [e["valid_accuracy"] for e in every["epochs"]]
    assert once["best_epoch"] == every["best_epoch"] and once["test_accuracy"] == every["test_accuracy"]
    assert once_predictions == every_predictions
    assert [e["test_accuracy"] is None for e in once["epochs"]] == [e != once["best_epoch"] for e in range(1, 7)]
