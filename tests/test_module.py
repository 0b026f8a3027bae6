"""The workflow used as a Snakemake module (as `snakedeploy deploy-workflow` sets it up): a folder
holding only a config and a Snakefile with a `module` declaration plans the same demo, its scripts,
schemas, sheets and presets found in the workflow's folder, its outputs in the working folder."""
import shutil

from conftest import REPO, job_counts, make_workdir, run_snakemake

DEPLOYED = """configfile: "config/config.yaml"


module cls_finetune:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from cls_finetune
"""


def test_a_folder_with_a_module_declaration_plans_the_demo_as_the_workflow_does(tmp_path):
    deployed = tmp_path / "deployed"
    (deployed / "config").mkdir(parents=True)
    shutil.copy(REPO / "config/config.yaml", deployed / "config/config.yaml")
    (deployed / "Snakefile").write_text(DEPLOYED.format(snakefile=REPO / "Snakefile"))
    as_module = run_snakemake(deployed, "-n", configfile=None, snakefile=deployed / "Snakefile")
    direct = run_snakemake(make_workdir(tmp_path / "direct"), "-n", "all", configfile=None)
    assert job_counts(as_module.stdout) == job_counts(direct.stdout)
    assert job_counts(as_module.stdout)["finetune_fairseq"] == 6
    assert "tasks demo (mode demo; config tasks: auto)" in as_module.stdout + as_module.stderr
    assert not any((deployed / name).exists() for name in ("rules", "scripts", "runs"))  # nothing copied, nothing run


def test_a_reduced_seed_runs_end_to_end_through_the_module(demo_run, tmp_path):
    """One fine-tuning seed runs through the module, its inputs (the reduced demo's data and
    checkpoint) in the using folder: its outputs land there, the same numbers as the direct run."""
    from conftest import CONFIGS, seed_workdir

    deployed = seed_workdir(demo_run, tmp_path / "deployed")  # data/demo, models/demo and config/
    (deployed / "config").unlink()  # a user's own config folder, not a link to the workflow's
    (deployed / "config").mkdir()
    shutil.copy(REPO / "config/config.yaml", deployed / "config/config.yaml")
    (deployed / "Snakefile").write_text(DEPLOYED.format(snakefile=REPO / "Snakefile"))
    target = "runs/demo/fairseq/scratch/seed0/metrics.json"
    run_snakemake(deployed, target, "--configfile", str(CONFIGS / "demo_small.yaml"), configfile=None,
                  snakefile=deployed / "Snakefile")
    import json

    ours, direct = (json.loads((folder / target).read_text()) for folder in (deployed, demo_run))
    assert ours["epochs"] == direct["epochs"] and ours["test_accuracy"] == direct["test_accuracy"]  # same run
    assert (deployed / "logs/demo/finetune_fairseq/scratch_seed0.log").is_file()
