"""Snakemake script: training runs' rows (run.json) in one tidy table: every run of `all` in
reports/<task>/runs.csv, one branch's runs in reports/<task>/runs/<branch>.csv (what that branch's
report reads). One row per run; columns: reports/README.md."""
import json
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.run_record import column_order


def main():
    import pandas as pd

    # run_dir: where the run's own files are (predictions.tsv, tensorboard/), so no report
    # rebuilds the run-folder layout
    rows = [{**json.loads(Path(path).read_text(encoding="utf-8")), "run_dir": str(Path(path).parent)}
            for path in snakemake.input]
    columns = column_order(dict.fromkeys(key for row in rows for key in row))
    table = pd.DataFrame(rows, columns=columns)
    for column in columns:  # integers stay integers beside the empty cells of other branches
        values = [row[column] for row in rows if row.get(column) is not None]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            table[column] = table[column].astype("Int64")
    table = table.sort_values(["branch", "run", "seed"], kind="stable")
    table.to_csv(snakemake.output[0], index=False)
    counts = table.groupby("branch").size().to_dict()
    print(f"{len(table)} runs ({', '.join(f'{b} {n}' for b, n in counts.items())}), "
          f"{table.shape[1]} columns -> {snakemake.output[0]}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
