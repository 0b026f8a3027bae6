"""The config refuses what it does not know: a misspelt key in any block, or a value out of
range, stops the workflow before any job with one line naming the key's path. The checks across
keys are unit-tested in test_config_checks.py; variance.fixed_seed here shows their path to the
user's screen."""
import pytest

from conftest import make_workdir, run_snakemake

CASES = [
    ("data:\n  real:\n    valid_sise: 100\n", "config: data.real: Additional properties are not allowed ('valid_sise' was unexpected)"),
    ("seed: [0]\n", "config: top level: Additional properties are not allowed ('seed' was unexpected)"),
    ("threads:\n  trian: 2\n", "config: threads: Additional properties are not allowed ('trian' was unexpected)"),
    ("data:\n  real:\n    urls: {dta: x}\n", "config: data.real.urls: Additional properties are not allowed ('dta' was unexpected)"),
    ("data:\n  real:\n    sha256: {model: ''}\n", "config: data.real.sha256: Additional properties are not allowed ('model' was unexpected)"),
    ("benchmark:\n  thread: 2\n", "config: benchmark: Additional properties are not allowed ('thread' was unexpected)"),
    ("data:\n  demo:\n    spm_vocab: 800\n", "config: data.demo: Additional properties are not allowed ('spm_vocab' was unexpected)"),
    ("finetune:\n  demo: {lr: -1}\n", "config: finetune.demo.lr: -1 is less than or equal to the minimum of 0"),
    ("peft:\n  model: gpt5\n", "config: peft.model: gpt5 is not in the model sheets (known: demo-roberta, "
     "roberta-small-fr, bert-base-uncased, roberta-base, t5-small, camembert-base)"),
    ("peft:\n  model: roberta-small-fr\n", "config: peft.model: roberta-small-fr is the real checkpoint, converted "
     "on its own mode's tasks; task demo runs in mode demo"),
    ("variance:\n  fixed_seed: 1\n", "config: variance.fixed_seed: 1 is also one of variance.seeds"),
    ("tasks: [demo, cls-bookz]\n", "config: tasks: cls-bookz not in the task sheet (known: demo, cls-books, cls-dvd, cls-music, demo-pairs, mrpc, rte, sst2)"),
    ("finetune:\n  demo: {num_classes: 3}\n",
     "config: finetune.demo: Additional properties are not allowed ('num_classes' was unexpected)"),
]


@pytest.mark.parametrize("extra, message", CASES, ids=[c[1].split(":")[1].strip() + str(i) for i, c in enumerate(CASES)])
def test_a_bad_key_or_value_is_refused_in_one_line_before_any_job(tmp_path, extra, message):
    bad = tmp_path / "extra.yaml"
    bad.write_text(extra)
    proc = run_snakemake(make_workdir(tmp_path / "work"), "-n", "all", "--configfile", str(bad),
                         configfile=None, check=False)
    assert proc.returncode != 0
    lines = (proc.stdout + proc.stderr).splitlines()
    assert message in lines, "\n".join(lines[-8:])
    assert not any(line.startswith(("Failed validating", "On instance")) for line in lines)  # no schema dump


def test_a_second_clone_that_nobody_installed_is_refused_in_one_line(tmp_path):
    """The jobs import ftlib: from another clone, its numbers would come from code not in front of
    the user. The start-up check names both places and the command that fixes it."""
    import shutil
    import subprocess

    from conftest import REPO, snakemake_command, snakemake_env

    clone = tmp_path / "clone"
    for folder in ("scripts", "rules", "config", "profiles"):
        shutil.copytree(REPO / folder, clone / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "Snakefile", clone / "Snakefile")
    env = snakemake_env()  # this checkout's install, no path to the clone's scripts/
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(snakemake_command(clone, "-n", "all", configfile=None, snakefile=clone / "Snakefile"),
                          cwd=clone, env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    expected = (f"ftlib is imported from {REPO.resolve()}/scripts/ftlib, not from this workflow's "
                f"{clone.resolve()}/scripts/ftlib: run `pip install -e {clone}` in this environment")
    assert expected in (proc.stdout + proc.stderr).splitlines()
