"""The runs tables read back for the reports: reports/<task>/runs.csv (every run of `all`) and
reports/<task>/runs/<branch>.csv (one branch's runs), one row per run (ftlib.core.run_record),
and each run's per-example test predictions (predictions.tsv in its run_dir)."""
from __future__ import annotations

import json


def read_runs(*paths):
    """The rows of one or more runs tables as one DataFrame, sorted by branch, run and seed;
    valid_accuracy_per_epoch as lists."""
    import pandas as pd

    runs = pd.concat([pd.read_csv(path) for path in paths], ignore_index=True)
    runs["valid_accuracy_per_epoch"] = runs.valid_accuracy_per_epoch.map(json.loads)
    return runs.sort_values(["branch", "run", "seed"], kind="stable", ignore_index=True)


def read_run_predictions(run_dir):
    """One run's predictions.tsv (in its run_dir); labels as text."""
    import pandas as pd

    return pd.read_csv(f"{run_dir}/predictions.tsv", sep="\t", dtype={"gold": str, "predicted": str})


def read_predictions(runs) -> dict:
    """{(branch, run, seed): that run's predictions.tsv} for every row of ``runs``; labels as text."""
    return {(row.branch, row.run, row.seed): read_run_predictions(row.run_dir) for row in runs.itertuples()}


def hp(row, key):
    """One recipe value of a run's row as Python's (lists and dicts are stored as JSON text,
    numbers read back as numpy's)."""
    value = row[f"hp.{key}"]
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value.item() if hasattr(value, "item") else value


def as_run(row, **renamed) -> dict:
    """A row as the per-run dict the plots draw: its columns, plus `hp` (the recipe as a dict),
    `epochs` ([{epoch, valid_accuracy}]) and the columns given as ``renamed`` (e.g. init="run": the fairseq plots colour by init)."""
    run = dict(row)
    run["hp"] = {key[3:]: hp(row, key[3:]) for key in row.index if key.startswith("hp.")}
    run["epochs"] = [{"epoch": i + 1, "valid_accuracy": v} for i, v in enumerate(row["valid_accuracy_per_epoch"])]
    run.update({new: row[old] for new, old in renamed.items()})
    return run
