"""The workflow used as a Snakemake module, deployed by `snakedeploy deploy-workflow`: a folder
holding only a config and a Snakefile with a `module` declaration plans the same demo, its scripts,
schemas, sheets and presets found in the workflow's folder, its outputs in the working folder."""
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, job_counts, make_workdir, run_snakemake

def deploy(dest: Path) -> Path:
    """`snakedeploy deploy-workflow` of this workflow into ``dest`` (config/ copied, workflow/Snakefile
    declaring the module), offline from a local source holding what it reads (config/, Snakefile,
    LICENSE; a copy of the whole clone would drag its .venv along). snakedeploy 0.17.1's local
    source writes the module's snakefile as the bare "Snakefile", which Snakemake resolves in the
    deployment's own workflow/ folder; the workflow's path is written there, as docs/usage.md tells
    a user deploying from a folder (from a git URL it writes github(...) itself)."""
    source = dest.parent / "deploy_source"
    shutil.copytree(REPO / "config", source / "config")
    for name in ("Snakefile", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    snakedeploy = Path(sys.executable).parent / "snakedeploy"
    subprocess.run([str(snakedeploy), "deploy-workflow", str(source), str(dest), "--name", "cls-finetune",
                    "--branch", "main"], check=True, capture_output=True, text=True)
    snakefile = dest / "workflow/Snakefile"
    text = snakefile.read_text()
    assert "module cls_finetune:" in text and "use rule * from cls_finetune" in text and '"Snakefile"' in text
    snakefile.write_text(text.replace('"Snakefile"', f'"{REPO / "Snakefile"}"'))
    assert (dest / "config/config.yaml").read_text() == (REPO / "config/config.yaml").read_text()
    return snakefile


def test_a_folder_with_a_module_declaration_plans_the_demo_as_the_workflow_does(tmp_path):
    deployed = tmp_path / "deployed"
    snakefile = deploy(deployed)
    as_module = run_snakemake(deployed, "-n", configfile=None, snakefile=snakefile)
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
    (deployed / "config").unlink()  # a user's own config folder (snakedeploy's copy), not a link
    snakefile = deploy(deployed)
    target = "runs/demo/fairseq/scratch/seed0/metrics.json"
    run_snakemake(deployed, target, "--configfile", str(CONFIGS / "demo_small.yaml"), configfile=None,
                  snakefile=snakefile)
    import json

    ours, direct = (json.loads((folder / target).read_text()) for folder in (deployed, demo_run))
    assert ours["epochs"] == direct["epochs"] and ours["test_accuracy"] == direct["test_accuracy"]  # same run
    assert (deployed / "logs/demo/finetune_fairseq/scratch_seed0.log").is_file()
