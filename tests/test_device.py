"""One device switch (config `device`, `precision`; `dropout_masks` in tests/test_stream_dropout.py): command lines, Trainer arguments, refusals,
and what the runs record. The CUDA runs themselves are in tests/test_cuda.py."""
import json
import shutil

import pytest

from conftest import error_lines, make_workdir, run_snakemake
from ftlib.core.device import CPU, DeviceError, Placement, resolve
from ftlib.core.recipe import Recipe
from ftlib.fairseq.commands import finetune_command, pretrain_command, validate_command

RECIPE = Recipe(arch="roberta_demo", num_classes=2, init_token=0, separator_token=2, max_positions=256,
                batch_size=8, lr=5e-4, max_epoch=2, warmup_ratio=0.06, adam_betas=(0.9, 0.98), adam_eps=1e-8,
                weight_decay=0.01, clip_norm=0.0, dropout=0.1, attention_dropout=0.1)
PRETRAIN = dict(arch="roberta_demo", tokens_per_sample=128, max_positions=256, batch_size=32, lr=2e-3,
                warmup_updates=10, max_update=20, dropout=0.0, attention_dropout=0.0, save_every=10)


def test_auto_takes_the_gpu_only_where_there_is_one():
    assert resolve("auto", "fp32", cuda_available=False).device == "cpu"
    assert resolve("auto", "bf16", cuda_available=True).device == "cuda"
    assert resolve("cpu", "fp32", cuda_available=True).device == "cpu"  # asked for: kept
    assert resolve("auto", "fp32", cuda_available=False).name  # the CPU model, recorded


@pytest.mark.parametrize("device, precision, cuda, message", [
    ("cuda", "fp32", False, "device: cuda requested, but torch sees no GPU on this node"),
    ("cpu", "bf16", True, "precision: bf16 refused on the CPU (fp32 only: bf16 matrix products run slower"),
    ("auto", "fp16", False, "precision: fp16 refused on the CPU"),
    ("tpu", "fp32", False, "device: 'tpu' is not one of auto, cpu, cuda"),
    ("auto", "fp8", True, "precision: 'fp8' is not one of fp32, fp16, bf16"),
])
def test_what_cannot_run_is_refused_in_one_line(device, precision, cuda, message):
    with pytest.raises(DeviceError) as error:
        resolve(device, precision, cuda_available=cuda)
    assert str(error.value).startswith("config/config.yaml: " + message)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("placement, present, absent", [
    (CPU, ["--cpu"], ["--fp16", "--bf16", "--distributed-world-size"]),
    (Placement("cuda", "fp32", "gpu"), ["--distributed-world-size"], ["--cpu", "--fp16", "--bf16"]),
    (Placement("cuda", "fp16", "gpu"), ["--fp16", "--distributed-world-size"], ["--cpu", "--bf16"]),
])
def test_every_fairseq_command_follows_the_placement(placement, present, absent):
    commands = [finetune_command(RECIPE, "bin", "save", "tb", 1, 160, placement=placement),
                validate_command(RECIPE, "bin", "checkpoint_best.pt", placement=placement),
                pretrain_command(PRETRAIN, "bin", "save", "tb", 1, placement=placement)]
    for cmd in commands:
        assert set(present) <= set(cmd) and not set(absent) & set(cmd), cmd


def test_fairseq_refuses_bf16_which_it_runs_on_tpus_only():
    with pytest.raises(DeviceError, match="bf16 is not available to the fairseq jobs"):
        finetune_command(RECIPE, "bin", "save", "tb", 1, 160, placement=Placement("cuda", "bf16", "gpu"))


def test_trainer_arguments_follow_the_placement():
    assert CPU.trainer_args() == {"use_cpu": True, "fp16": False, "bf16": False}
    assert Placement("cuda", "bf16", "gpu").trainer_args() == {"use_cpu": False, "fp16": False, "bf16": True}
    assert Placement("cuda", "fp16", "gpu").record() == {"device": "cuda", "device_name": "gpu", "precision": "fp16",
                                                         "dropout_masks": "torch"}


def test_a_precision_the_cpu_cannot_use_stops_the_workflow_before_any_job(tmp_path):
    proc = run_snakemake(make_workdir(tmp_path), "-n", "all", "--config", "device=cpu", "precision=bf16",
                         configfile=None, check=False)
    assert proc.returncode != 0
    assert "precision: bf16 refused on the CPU (fp32 only" in proc.stdout + proc.stderr


def test_runs_record_where_they_trained(demo_run):
    for run in ("fairseq/pretrained/seed0", "peft/demo-roberta/bitfit/seed0", "hf/scratch/seed0"):
        metrics = json.loads((demo_run / f"runs/demo/{run}/metrics.json").read_text())
        assert (metrics["device"], metrics["precision"]) == ("cpu", "fp32") and metrics["device_name"], run
    table = (demo_run / "reports/demo/fairseq_runs.tsv").read_text().splitlines()
    assert table[0].split("\t")[-2:] == ["device", "precision"]
    assert all(line.split("\t")[-2:] == ["cpu", "fp32"] for line in table[1:])
    assert "on cpu (" in (demo_run / "reports/demo/fairseq_report.md").read_text()


def test_a_job_asked_for_a_gpu_it_does_not_have_fails_in_one_line(demo_run, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: device cuda is not refused here")
    work = make_workdir(tmp_path / "work")
    for path in ("models/demo/hf_pretrained", "data/demo/jsonl"):
        shutil.copytree(demo_run / path, work / path)
    target = "runs/demo/peft/demo-roberta/bitfit/seed0/metrics.json"
    proc = run_snakemake(work, target, "--allowed-rules", "finetune_peft", "--config", "device=cuda", check=False)
    assert proc.returncode != 0
    assert any("config/config.yaml: device: cuda requested, but torch sees no GPU" in line
               for line in error_lines(proc)), proc.stderr[-2000:]
    assert not (work / target).exists()
