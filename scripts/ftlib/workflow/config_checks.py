"""The config's checks that its schema cannot express (ranges and combinations across keys), and
the recipe values the rules build from it. Plain functions of the config dict: the workflow calls
``check_config`` once at start-up, before any job, and the tests call it directly.
"""
from __future__ import annotations

import itertools

import pandas as pd
from snakemake.utils import Paramspace

from ftlib.core.device import DeviceError, resolve
from ftlib.core.recipe import Recipe, RecipeError
from ftlib.peft.registry import UnknownKind, check_methods

MODES = ("demo", "real")


class ConfigError(ValueError):
    """A config finding, in one line: the key's path and what is wrong there."""


def recipe_values(config: dict, mode: str, num_classes: int = 2, **overrides) -> dict:
    """finetune.<mode> with the classifier's outputs (the task's label count) and overrides."""
    return {**config["finetune"][mode], "num_classes": num_classes, **overrides}


def peft_recipe_values(config: dict, mode: str, method: str, num_classes: int = 2,
                       task: str | None = None) -> dict:
    """A PEFT method's recipe values: the mode's finetune block, then the overrides of
    peft.<mode>.hp, `all` first, then the method's, then those of the task (peft.<mode>.task_hp)."""
    peft = config["peft"][mode]
    layers = [peft["hp"]] + ([peft.get("task_hp", {}).get(task, {})] if task is not None else [])
    values: dict = {}
    for overrides in layers:  # a method's value replaces the same key's under `all`
        values.update(overrides.get("all", {}))
        values.update(overrides.get(method, {}))
    return recipe_values(config, mode, num_classes, **values)


def sweep_space(config: dict, mode: str) -> Paramspace:
    """The sweep's settings (sweep.<mode>.grid: every combination) as a Paramspace: each setting's
    folder is named by its values, e.g. lr~0.0005."""
    grid = config["sweep"][mode]["grid"]
    table = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    return Paramspace(table, filename_params="*")


def sweep_recipe(config: dict, mode: str, setting: dict, num_classes: int = 2) -> dict:
    """finetune.<mode> with the setting's values (as Python numbers, not numpy's)."""
    values = {k: v.item() if hasattr(v, "item") else v for k, v in setting.items()}
    return recipe_values(config, mode, num_classes, **values)


def _peft_blocks(config: dict, mode: str) -> dict[str, dict]:
    """Every recipe a mode's PEFT methods train with, by the config key that defines it; a method
    or an override block naming no method of peft.methods is refused (its overrides would never
    apply)."""
    peft, defined = config["peft"].get(mode, {}), config["peft"]["methods"]
    unknown = sorted(set(peft.get("methods", [])) - set(defined))
    if unknown:
        raise ConfigError(f"config: peft.{mode}.methods: {', '.join(unknown)} not defined in peft.methods")
    hp_blocks = {f"peft.{mode}.hp": peft.get("hp", {})} | {
        f"peft.{mode}.task_hp.{task}": block for task, block in peft.get("task_hp", {}).items()}
    for where, block in hp_blocks.items():
        unused = sorted(set(block) - {"all", *defined})
        if unused:
            raise ConfigError(f"config: {where}: {', '.join(unused)} not defined in peft.methods")
    recipes = {}
    for method in peft.get("methods", []):
        recipes[f"peft.{mode}.hp.{method}"] = peft_recipe_values(config, mode, method)
        for task in peft.get("task_hp", {}):
            recipes[f"peft.{mode}.task_hp.{task}.{method}"] = peft_recipe_values(
                config, mode, method, task=task)
    return recipes


def check_recipes(config: dict) -> None:
    """Every fine-tuning recipe of the config (both modes, each PEFT method's overrides, each
    setting of the sweep) builds a valid Recipe; the demo fine-tunes the shape it pretrains."""
    for mode in MODES:
        recipes = {f"finetune.{mode}": recipe_values(config, mode), **_peft_blocks(config, mode)}
        space = sweep_space(config, mode)
        for setting, row in zip(space.instance_patterns, space.dataframe.to_dict("records")):
            recipes[f"sweep.{mode}.grid ({setting})"] = sweep_recipe(config, mode, row)
        for where, values in recipes.items():
            try:
                Recipe.from_config(values)
            except RecipeError as error:
                raise ConfigError(f"config: {where}: {error}") from None
    pretrain, finetune = config["data"]["demo"]["pretrain"], config["finetune"]["demo"]
    for key in ("arch", "max_positions"):
        if pretrain[key] != finetune[key]:
            raise ConfigError(f"config: finetune.demo.{key}: {finetune[key]} but the demo's checkpoint is "
                              f"pretrained with data.demo.pretrain.{key}: {pretrain[key]}")


def check_cross_keys(config: dict) -> None:
    """The PEFT kinds, the variance study's seeds, the studies' method names and the placement."""
    try:  # every method names a registered kind (ftlib/peft/methods/) with the keys it takes
        check_methods(config["peft"]["methods"])
    except UnknownKind as error:
        raise ConfigError(f"config: {error}") from None
    fixed = config["variance"]["fixed_seed"]
    if fixed in config["variance"]["seeds"]:  # it would make one run twice
        raise ConfigError(f"config: variance.fixed_seed: {fixed} is also one of variance.seeds")
    for key in ("accuracy", "counts"):
        for row in config["peft"].get("study", {}).get(key, []):
            if row["method"] not in config["peft"]["methods"]:
                raise ConfigError(f"config: peft.study.{key}: method {row['method']} is not in peft.methods")
    if config["device"] == "cpu":  # refused now rather than in every job
        try:
            resolve(config["device"], config["precision"], cuda_available=False)
        except DeviceError as error:
            raise ConfigError(str(error)) from None


def check_config(config: dict) -> list[str]:
    """Every check above; returns the warnings to log (the config is valid but says something a
    user should know)."""
    check_recipes(config)
    check_cross_keys(config)
    if config["precision"] == "bf16":  # fairseq 0.12 runs bf16 on TPUs only
        return ["precision bf16: the fairseq jobs (and the demo's masked LM) will refuse it; "
                "the HF, PEFT and BLOOM jobs use it"]
    return []
