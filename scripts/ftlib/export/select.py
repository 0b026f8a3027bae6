"""Which run of a group is exported: the best validation accuracy, ties broken by the lower seed
(validation only: the test split never chooses)."""
from __future__ import annotations


def best_run(rows):
    """The row (a pandas Series) of the runs table ``rows`` (one group's seeds) to export."""
    if rows.empty:
        raise ValueError("no runs to choose from")
    ordered = rows.sort_values(["best_valid_accuracy", "seed"], ascending=[False, True], kind="stable")
    return ordered.iloc[0]
