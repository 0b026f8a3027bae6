"""The workflow's own checkers: `snakemake --lint` and `snakefmt --check`, both clean."""
import subprocess
import sys
from pathlib import Path

from conftest import REPO, snakemake_env

BIN = Path(sys.executable).parent


def test_snakemake_lint_is_clean():
    proc = subprocess.run([str(BIN / "snakemake"), "--lint", "-s", str(REPO / "Snakefile")], cwd=REPO,
                          env=snakemake_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations, your workflow is in a good condition!" in proc.stdout + proc.stderr


def test_snakefmt_leaves_every_rule_file_unchanged():
    files = [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]
    proc = subprocess.run([str(BIN / "snakefmt"), "--check", *map(str, files)], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(files) >= 8  # the Snakefile, common.smk and one file per branch


def test_the_conda_environment_pins_what_requirements_txt_pins():
    import yaml

    pins = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    env = yaml.safe_load((REPO / "envs/fairseq.yaml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pip == pins  # written out: Snakemake builds the env from a copy where -r ../ does not resolve
