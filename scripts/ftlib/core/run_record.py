"""One row of facts per training run (run.json beside its metrics.json), gathered with pandas into
reports/<task>/runs.csv: what ran (branch, run, seed, every recipe value), what came out (per-epoch
valid accuracy, the selected epoch, test accuracy), what it cost (wall time, peak RSS, threads,
device) and what produced it (git commit, library versions, CPU model, a hash of the recipe).
The columns are documented in reports/README.md.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from ftlib.core.cpu import cpu_name

REPO = Path(__file__).resolve().parents[3]
# distribution names (fairseq is installed as the maintained fork fairseq-fixed)
LIBRARIES = {"torch": ["torch"], "fairseq": ["fairseq-fixed", "fairseq"], "transformers": ["transformers"],
             "peft": ["peft"]}


# runs.csv's column order: who, what came out, the recipe (hp.*, sorted), the cost, a branch's own
# columns, then what produced it
IDENTITY = ["branch", "run", "seed"]
RESULTS = ["test_accuracy", "best_valid_accuracy", "best_epoch", "valid_accuracy_per_epoch"]
COST = ["wall_seconds", "peak_rss_mb", "threads", "device", "device_name", "precision", "dropout_masks"]
PROVENANCE = ["recipe_hash", "code_digest", "git_commit", "python", *LIBRARIES, "cpu_model", "run_dir"]
# metrics.json values a branch has and its report shows: copied when present
OPTIONAL = ["n_train", "total_updates", "warmup_updates", "wall_seconds_per_epoch", "training_rss_increase_mb"]


def column_order(columns) -> list[str]:
    hp = sorted(c for c in columns if c.startswith("hp."))
    known = set(IDENTITY + RESULTS + COST + PROVENANCE + hp)
    return IDENTITY + RESULTS + hp + COST + [c for c in columns if c not in known] + PROVENANCE


def git_commit(repo: Path = REPO) -> str:
    """The checkout's commit, with "-dirty" when files differ from it; "unversioned" outside git."""
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unversioned"
    return commit + ("-dirty" if dirty else "")


def version_of(names: list[str]) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "absent"


def recipe_hash(recipe: dict) -> str:
    """12 hex digits of the sha256 of the resolved recipe (keys sorted): runs of one setting share it."""
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()[:12]


def provenance() -> dict:
    return {"git_commit": git_commit(), "python": platform.python_version(),
            **{name: version_of(dists) for name, dists in LIBRARIES.items()}, "cpu_model": cpu_name()}


def run_record(branch: str, run: str, seed: int, recipe: dict, metrics: dict, **extra) -> dict:
    """The row of one run: ``recipe`` is the resolved recipe (its values become `hp.<key>`
    columns); ``metrics`` is the run's metrics.json content; ``extra``: branch-specific columns."""
    epochs = metrics.get("epochs", [])
    return {
        "branch": branch, "run": run, "seed": seed,
        **{f"hp.{key}": json.dumps(value) if isinstance(value, (list, tuple, dict)) else value
           for key, value in sorted(recipe.items())},
        "recipe_hash": recipe_hash(recipe),
        "valid_accuracy_per_epoch": json.dumps([e["valid_accuracy"] for e in epochs]),
        "best_epoch": metrics.get("best_epoch"),
        "best_valid_accuracy": metrics.get("best_valid_accuracy"),
        "test_accuracy": metrics.get("test_accuracy"),
        "wall_seconds": metrics.get("wall_seconds"),
        "peak_rss_mb": metrics.get("peak_rss_mb"),
        "threads": metrics.get("threads"),
        "device": metrics.get("device"), "device_name": metrics.get("device_name"),
        "precision": metrics.get("precision"), "dropout_masks": metrics.get("dropout_masks"),
        **{key: metrics[key] for key in OPTIONAL if key in metrics},
        **extra,
        **provenance(),
    }
