# What every stage shares: the project's package, the config validated and checked, the lock hooks
# and a few generic helpers. Paths are in rules/paths.smk, the sheets in rules/sheets.smk, what
# `all` builds in rules/targets.smk; each branch's own input functions in rules/helpers/<branch>.smk.
import re
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# This workflow's own folder (rules/..): its scripts, schemas, sheets and presets resolve against
# it, also where another workflow uses it as a module (workflow.basedir is then that one's).
WORKFLOW_DIR = Path(workflow.current_basedir).parent


def check_installed():
    """The jobs import the project's package (ftlib, scripts/): it must be this checkout's, installed
    by `make setup` (pip install -e .), not missing nor another clone's."""
    here = Path(WORKFLOW_DIR, "scripts", "ftlib").resolve()
    try:
        import ftlib
    except ImportError:
        raise WorkflowError(
            f"ftlib is not installed in {sys.executable}: run `make setup` "
            f"(or `pip install -e {WORKFLOW_DIR}`)"
        ) from None
    found = Path(ftlib.__file__).resolve().parent
    if found != here:
        raise WorkflowError(
            f"ftlib is imported from {found}, not from this workflow's {here}: "
            f"run `pip install -e {WORKFLOW_DIR}` in this environment"
        )


check_installed()

from ftlib.core.code_digest import code_digest
from ftlib.workflow.config_checks import (
    ConfigError,
    check_config,
    peft_recipe_values,
    recipe_values,
    sweep_recipe,
    sweep_space,
)
from ftlib.core.workflow_lock import clear_stale_locks, record_owner, release_owner

# A killed run's lock would stop the README's command until `snakemake --unlock`: removed here,
# before Snakemake takes its lock, when provably stale (ftlib/core/workflow_lock.py); the killed
# jobs' outputs are then redone (rerun-incomplete, profiles/default/).
if workflow.is_main_process:
    _stale = clear_stale_locks()
    if _stale:
        logger.warning(_stale)


onstart:
    record_owner()


onsuccess:
    release_owner()


onerror:
    release_owner()


def validate_config():
    """The schema's check, its finding in one line: the key's path and what is wrong there
    (every block refuses unknown keys, so a typo cannot pass unnoticed); then the checks across
    keys the schema cannot express (ftlib/workflow/config_checks.py), before any job."""
    try:
        validate(config, "../config/schema.yaml")
    except WorkflowError as error:
        # the jsonschema ValidationError behind Snakemake's message
        found = error.__context__
        if not hasattr(found, "absolute_path"):
            raise
        where = ".".join(map(str, found.absolute_path)) or "top level"
        raise WorkflowError(f"config: {where}: {found.message}") from None
    try:
        for warning in check_config(config):
            logger.warning(warning)
    except ConfigError as error:
        raise WorkflowError(str(error)) from None


validate_config()

# Where the training and evaluation jobs run (resolved inside each job, on its node).
PLACEMENT = {
    "device": config["device"],
    "precision": config["precision"],
    "dropout_masks": config["dropout_masks"],
}


def repo_path(path):
    """A path of the config: relative to the working directory, else to the repository (runs
    with -d elsewhere see the repository's config/ and data/)."""
    path = Path(path)
    return str(path if path.is_absolute() or path.exists() else WORKFLOW_DIR / path)


def names_pattern(names):
    """A wildcard constraint matching exactly these names (none: matching nothing)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


def attempt_scaled(base):
    """A resource (mem_mb, runtime) that grows with the attempt: a job killed at its memory or
    time limit asks for twice as much on its retry (the SLURM profile's `retries`), and a
    training job continues from its last finished epoch (ftlib/core/resume.py)."""

    def value(wildcards, attempt):
        return (base(wildcards) if callable(base) else base) * attempt

    return value


def add_code_params():
    """Each scripted step gets param `code`, the digest of its script and of every project
    module the script imports (ftlib/core/code_digest.py). Snakemake reruns a job when a param
    changes, so a library change reruns exactly the jobs that import it; content decides, not
    mtime. Called once every rule is defined (end of the Snakefile)."""
    for each in workflow.rules:
        if each.script:
            each.set_params(code=code_digest(Path(str(each.basedir)) / each.script))
