"""The config's checks across keys (ftlib/workflow/config_checks.py), called as the workflow calls them
at start-up: the shipped config passes, and each kind of mistake is one line naming its key."""
import copy

import pytest
import yaml
from snakemake.utils import validate

from conftest import REPO
from ftlib.workflow.config_checks import ConfigError, check_config, peft_recipe_values, sweep_space


@pytest.fixture(scope="module")
def shipped():
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    validate(config, str(REPO / "config/schema.yaml"))  # the schema's defaults, as in the workflow
    return config


def changed(config, path, value):
    new = copy.deepcopy(config)
    *keys, last = path.split(".")
    block = new
    for key in keys:
        block = block.setdefault(key, {})
    block[last] = value
    return new


def test_the_shipped_config_passes_without_warnings(shipped):
    assert check_config(shipped) == []


CASES = [
    ("peft.demo.hp.bitfitt", {"lr": 1e-3}, "config: peft.demo.hp: bitfitt not defined in peft.methods"),
    ("peft.demo.methods", ["full", "lora9"], "config: peft.demo.methods: lora9 not defined in peft.methods"),
    ("peft.real.task_hp", {"sst2": {"bitfitt": {"lr": 1e-3}}},
     "config: peft.real.task_hp.sst2: bitfitt not defined in peft.methods"),
    ("peft.demo.hp.bitfit", {"warmup_ratio": 1.5},
     "config: peft.demo.hp.bitfit: warmup_ratio: must be in [0, 1), got 1.5"),
    ("sweep.demo.grid", {"lr": [1e-4, -1.0]}, "config: sweep.demo.grid (lr~-1.0): lr: must be > 0, got -1.0"),
    ("variance.fixed_seed", 1, "config: variance.fixed_seed: 1 is also one of variance.seeds"),
    ("finetune.demo.arch", "roberta_small",
     "config: finetune.demo.arch: roberta_small but the demo's checkpoint is pretrained with "
     "data.demo.pretrain.arch: roberta_demo"),
    ("peft.study", {"accuracy": [{"method": "lora_q_r99", "task": "sst2", "accuracy": 90.0}]},
     "config: peft.study.accuracy: method lora_q_r99 is not in peft.methods"),
]


@pytest.mark.parametrize("path, value, message", CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_one_line_naming_its_key(shipped, path, value, message):
    with pytest.raises(ConfigError) as error:
        check_config(changed(shipped, path, value))
    assert str(error.value) == message


def test_bf16_is_accepted_with_a_warning_about_fairseq(shipped):
    warnings = check_config(changed(shipped, "precision", "bf16"))
    assert len(warnings) == 1 and warnings[0].startswith("precision bf16: the fairseq jobs")


def test_a_method_takes_all_then_its_own_then_its_tasks_overrides(shipped):
    config = changed(shipped, "peft.real.hp", {"all": {"lr": 1.0, "max_epoch": 7}, "bitfit": {"lr": 2.0}})
    config["peft"]["real"]["task_hp"] = {"sst2": {"all": {"max_epoch": 3}, "bitfit": {"lr": 3.0}}}
    assert (peft_recipe_values(config, "real", "bitfit")["lr"], peft_recipe_values(config, "real", "full")["lr"]) == (2.0, 1.0)
    on_sst2 = peft_recipe_values(config, "real", "bitfit", num_classes=2, task="sst2")
    assert (on_sst2["lr"], on_sst2["max_epoch"]) == (3.0, 3)


def test_the_sweep_names_each_setting_by_its_values(shipped):
    config = changed(shipped, "sweep.demo.grid", {"lr": [1e-4, 5e-4], "batch_size": [8]})
    assert list(sweep_space(config, "demo").instance_patterns) == ["lr~0.0001_batch_size~8", "lr~0.0005_batch_size~8"]
