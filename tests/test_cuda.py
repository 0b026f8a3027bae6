"""The GPU paths, run where torch sees a GPU (skipped elsewhere, with the reason in the summary):
a reduced fairseq seed and a reduced HF seed on CUDA (fp32 and mixed precision), the fairseq and
HF learning-rate curves agreeing step by step there too, and the 4-bit BLOOM path with real
optimizer steps of paged_adamw_8bit.

The inputs are the reduced demo's (the session's demo_run), or, on a GPU machine without the CPU
toolchain, a copy of them named by FT_PREBUILT_DEMO.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import CONFIGS
from ftlib.core.device import Placement, resolve
from ftlib.core.metrics import read_scalars
from ftlib.core.recipe import Recipe
from ftlib.fairseq.commands import finetune_command
from ftlib.hf.compare import lr_disagreements

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="no GPU on this machine (torch.cuda.is_available() is False)")

RECIPE = dict(arch="roberta_demo", num_classes=2, init_token=0, separator_token=2, max_positions=256,
              batch_size=8, lr=5e-4, max_epoch=3, warmup_ratio=0.06, adam_betas=[0.9, 0.98], adam_eps=1e-8,
              weight_decay=0.01, clip_norm=0.0, dropout=0.1, attention_dropout=0.1, log_interval=1)


@pytest.fixture(scope="module")
def demo(request) -> Path:
    prebuilt = os.environ.get("FT_PREBUILT_DEMO")
    return Path(prebuilt) if prebuilt else request.getfixturevalue("demo_run")


def fairseq_seed(demo: Path, out: Path, precision: str) -> str:
    placement = resolve("cuda", precision)
    n_train = len((demo / "data/demo/prepared/train.label").read_text().splitlines())
    cmd = finetune_command(Recipe.from_config(RECIPE), demo / "data/demo/bin", out, out / "tb", 1, n_train,
                           restore_file=demo / "models/demo/pretrained/model.pt", placement=placement)
    tool = shutil.which(cmd[0]) or str(Path(sys.executable).parent / cmd[0])
    proc = subprocess.run([tool, *cmd[1:]], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.parametrize("precision", ["fp32", "fp16"])  # bf16: fairseq 0.12 runs it on TPUs only
def test_a_fairseq_seed_trains_on_the_gpu(demo, tmp_path, precision):
    log = fairseq_seed(demo, tmp_path, precision)
    assert torch.cuda.get_device_name(0) in log  # fairseq's CUDA environment summary
    valid = read_scalars(tmp_path / "tb", "valid", "accuracy")
    losses = [v for _, v in read_scalars(tmp_path / "tb", "train_inner", "loss")]
    assert len(valid) == RECIPE["max_epoch"] and all(0 <= v <= 100 for _, v in valid)
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3, losses  # it learns


def hf_seed(demo: Path, out: Path, precision: str) -> dict:
    from transformers import AutoTokenizer, RobertaForSequenceClassification

    from ftlib.core.seeding import seed_everything
    from ftlib.hf.train import train_classifier

    seed_everything(1)
    hf = demo / "models/demo/hf_pretrained"
    model = RobertaForSequenceClassification.from_pretrained(hf, num_labels=2, hidden_dropout_prob=0.1,
                                                             attention_probs_dropout_prob=0.1)
    data = {s: str(demo / f"data/demo/jsonl/{s}.jsonl") for s in ("train", "valid", "test")}
    metrics = train_classifier(model, AutoTokenizer.from_pretrained(hf), data, Recipe.from_config(RECIPE), out, 1,
                               1, ["0", "1"], resolve("cuda", precision))
    assert next(model.parameters()).device.type == "cuda"
    return metrics


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_an_hf_seed_trains_on_the_gpu_and_records_it(demo, tmp_path, precision):
    metrics = hf_seed(demo, tmp_path, precision)
    assert (metrics["device"], metrics["precision"]) == ("cuda", precision)
    assert metrics["device_name"] == torch.cuda.get_device_name(0)
    assert len(metrics["epochs"]) == RECIPE["max_epoch"]


def test_fairseq_and_hf_lr_curves_agree_on_the_gpu(demo, tmp_path):
    fairseq_seed(demo, tmp_path / "fairseq", "fp32")
    hf_seed(demo, tmp_path / "hf", "fp32")
    fairseq_lr = read_scalars(tmp_path / "fairseq" / "tb", "train_inner", "lr")
    hf_lr = read_scalars(tmp_path / "hf" / "tensorboard", "train_inner", "lr")
    assert len(fairseq_lr) > 3 and lr_disagreements(fairseq_lr, hf_lr, rel_tol=0.01) == []


def test_the_4bit_bloom_path_takes_real_paged_adamw_8bit_steps(tmp_path):
    import yaml
    from peft import prepare_model_for_kbit_training
    from transformers import BloomForCausalLM

    from ftlib.bloom.data import read_faq, split_faq, training_text
    from ftlib.bloom.model import four_bit_support, load_base, tiny_bloom_config, train_tokenizer
    from ftlib.peft import apply_method
    from ftlib.bloom.train import encode_pairs, heldout_loss, lora_finetune

    repo = CONFIGS.parent.parent
    cfg = yaml.safe_load((repo / "config/config.yaml").read_text())["bloom"]
    ok, why = four_bit_support(cuda=True)
    assert ok, why
    pairs = read_faq(repo / cfg["demo"]["faq"])
    train_pairs, heldout_pairs = split_faq(pairs, 10, cfg["demo"]["split_seed"])
    tokenizer = train_tokenizer([training_text(p["question"], p["answer"]) for p in pairs], 1000)
    torch.manual_seed(0)
    BloomForCausalLM(tiny_bloom_config(tokenizer, {"hidden_size": 128, "n_layer": 2, "n_head": 4})).save_pretrained(
        tmp_path / "tiny")
    model = load_base(str(tmp_path / "tiny"), True, cfg["quantization"], cuda=True)
    assert type(model.transformer.h[0].self_attention.query_key_value).__name__ == "Linear4bit"
    assert next(model.parameters()).device.type == "cuda"
    model = apply_method(prepare_model_for_kbit_training(model, use_gradient_checkpointing=True,
                                                         gradient_checkpointing_kwargs={"use_reentrant": False}),
                         {"kind": "lora", **cfg["lora"]})
    train = encode_pairs(tokenizer, train_pairs, 128, "train")
    heldout = encode_pairs(tokenizer, heldout_pairs, 128, "heldout")
    before = heldout_loss(model, heldout)
    hp = {**cfg["real"]["train"], "max_steps": 30, "eval_every": 10, "lr": 2.0e-3}
    run = lora_finetune(model, tokenizer, train, heldout, hp, tmp_path / "trainer", log=print,
                        placement=Placement("cuda", "fp32", torch.cuda.get_device_name(0)))
    assert run["optimizer"] == "paged_adamw_8bit"  # the real one, not the CPU fallback
    assert heldout_loss(model, heldout) < before  # 30 real optimizer steps moved the LoRA weights
