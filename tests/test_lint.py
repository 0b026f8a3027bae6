"""What `make lint` runs, each clean: `snakemake --lint`, `snakefmt --check`, ruff with the
project's configuration (pyproject.toml); and no rule file over 250 lines."""
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
    files = [REPO / "Snakefile", *sorted((REPO / "rules").rglob("*.smk"))]
    proc = subprocess.run([str(BIN / "snakefmt"), "--check", *map(str, files)], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(files) >= 20  # the Snakefile, the shared files, one file per stage and its helpers


def test_the_conda_environment_pins_what_requirements_txt_pins():
    import yaml

    pins = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    env = yaml.safe_load((REPO / "envs/workflow.yaml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pip == pins  # written out: Snakemake builds the env from a copy where -r ../ does not resolve


def ruff(*args, cwd=REPO):
    return subprocess.run([str(BIN / "ruff"), "check", "--config", str(REPO / "pyproject.toml"), *args],
                          cwd=cwd, capture_output=True, text=True)


def test_ruff_is_clean_on_the_python_code():
    proc = ruff("scripts", "tools", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_with_the_projects_settings_catches_a_real_mistake(tmp_path):
    script = tmp_path / "report_x.py"  # a Snakemake script: `snakemake` is a builtin, `snakemak` is not
    script.write_text("import os\n\nprint(snakemake.input[0], snakemak.output[0])\n")
    proc = ruff(str(script), cwd=tmp_path)
    assert proc.returncode == 1
    assert "F401" in proc.stdout and "F821 Undefined name `snakemak`" in proc.stdout
    assert "`snakemake`" not in proc.stdout


def test_no_rule_file_is_over_250_lines():
    lengths = {str(p.relative_to(REPO)): len(p.read_text().splitlines())
               for p in [REPO / "Snakefile", *(REPO / "rules").rglob("*.smk")]}
    assert max(lengths.values()) <= 250, {f: n for f, n in lengths.items() if n > 250}
