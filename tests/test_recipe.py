"""The fine-tuning recipe: built from config, checked before any job, one place for its defaults."""
import dataclasses

import pytest
import yaml

from conftest import REPO, run_snakemake, make_workdir
from ftlib.core.recipe import STOCK_LEVERS, Recipe, RecipeError

CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())
# the classifier's outputs come from the task sheet's label set (CLS-books and the demo: 2)
for _mode in ("demo", "real"):
    CONFIG["finetune"][_mode]["num_classes"] = 2


def test_every_recipe_of_the_config_builds():
    for mode in ("demo", "real"):
        recipe = Recipe.from_config(CONFIG["finetune"][mode])
        assert recipe.schedule(2000) == ((2000 + recipe.batch_size - 1) // recipe.batch_size * recipe.max_epoch,
                                         round(recipe.warmup_ratio * (2000 + recipe.batch_size - 1)
                                               // recipe.batch_size * recipe.max_epoch))
    assert Recipe.from_config(CONFIG["finetune"]["real"]).schedule(2000) == (1250, 75)  # the lab's numbers


def test_values_keep_the_type_the_config_gave():
    # written into fairseq command lines as they are: 0 must stay "0", 0.0 "0.0"
    recipe = Recipe.from_config(CONFIG["finetune"]["demo"], clip_norm=0, lr=5.0e-4)
    assert str(recipe.clip_norm) == "0" and str(recipe.lr) == "0.0005"
    assert recipe.adam_betas == (0.9, 0.98)


def test_unknown_and_missing_keys_are_refused():
    with pytest.raises(RecipeError, match="unknown recipe key.*valid_sise"):
        Recipe.from_config(CONFIG["finetune"]["demo"], valid_sise=100)
    partial = {k: v for k, v in CONFIG["finetune"]["demo"].items() if k != "lr"}
    with pytest.raises(RecipeError, match="missing recipe key.*lr"):
        Recipe.from_config(partial)


@pytest.mark.parametrize("change, message", [
    ({"lr": 0}, "lr: must be > 0"),
    ({"dropout": 1.0}, r"dropout: must be in \[0, 1\)"),
    ({"warmup_ratio": -0.1}, "warmup_ratio"),
    ({"adam_betas": (0.9,)}, "adam_betas"),
    ({"batch_size": 0}, "batch_size: 0 is too small"),
    ({"num_classes": 1}, "num_classes: 1 is too small"),
    ({"init_token": 2}, "init_token and separator_token are both 2"),
    ({"optimizer": "sgd"}, "optimizer: 'sgd' is not one of adam, adamw_fused"),
])
def test_out_of_range_values_are_refused_with_the_key(change, message):
    with pytest.raises(RecipeError, match=message):
        Recipe.from_config(CONFIG["finetune"]["demo"], **change)


def test_stock_undoes_only_the_speed_levers():
    tuned = Recipe.from_config(CONFIG["finetune"]["real"])
    stock = tuned.stock()
    changed = {f.name for f in dataclasses.fields(Recipe) if getattr(stock, f.name) != getattr(tuned, f.name)}
    assert changed == set(STOCK_LEVERS) and not stock.tests_once and tuned.tests_once
    # the stock values are the recipe's own defaults: one place for them
    defaults = {f.name: f.default for f in dataclasses.fields(Recipe) if f.name in STOCK_LEVERS}
    assert defaults == STOCK_LEVERS


def test_every_field_has_help_text():
    assert all(text.strip() for text in Recipe.help().values())


def test_a_bad_recipe_stops_the_workflow_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("finetune:\n  demo: {init_token: 2}\n")  # in range for the schema, not for the recipe
    proc = run_snakemake(make_workdir(tmp_path / "w"), "-n", "all", configfile=None, check=False)
    assert proc.returncode == 0  # the shipped config is fine
    proc = run_snakemake(make_workdir(tmp_path / "w"), "-n", "all", "--configfile", str(bad),
                         configfile=None, check=False)
    assert proc.returncode != 0
    assert "config: finetune.demo: init_token and separator_token are both 2" in proc.stdout + proc.stderr
