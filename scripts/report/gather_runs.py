"""Snakemake script: training runs' rows (run.json) in one tidy table: every run of `all` in
reports/<task>/runs.csv, one branch's runs in reports/<task>/runs/<branch>.csv (what that branch's
report reads). One row per run; columns: reports/README.md. `init` and `method` say what `run`
said by branch (deprecated: `run` stays for one release)."""
import json
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.run_record import column_order


def init_of(row: dict):
    """The init of a classification run (pretrained, scratch); None for a PEFT or BLOOM run.
    `run` holds it for the fairseq and HF branches (the variance study's: init/source)."""
    return None if row["branch"] in ("peft", "bloom") else row["run"].split("/")[0]


def method_of(row: dict):
    """The PEFT method of a PEFT run, `lora` for BLOOM's; None for an init's run."""
    return row["run"] if row["branch"] in ("peft", "bloom") else None


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
    position = table.columns.get_loc("run") + 1
    table.insert(position, "method", [method_of(row) for row in rows])
    table.insert(position, "init", [init_of(row) for row in rows])
    table = table.sort_values(["branch", "run", "seed"], kind="stable")
    table.to_csv(snakemake.output[0], index=False)
    counts = table.groupby("branch").size().to_dict()
    print(f"{len(table)} runs ({', '.join(f'{b} {n}' for b, n in counts.items())}), "
          f"{table.shape[1]} columns -> {snakemake.output[0]}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
