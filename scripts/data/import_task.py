"""Snakemake script: a task of the sheet read from its archive or folder into the raw layout
(data/<task>/raw/<split>.review and .label) and the split ids (data/<task>/split_ids.tsv)."""
import tempfile
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_to_unpack, unpack_all
from ftlib.data.task_sources import task_splits, write_task


def main():
    task, out = snakemake.params.task, snakemake.output
    if task.source_kind in ("folder", "urls"):  # urls: each split's file, downloaded side by side
        origin = Path(task.source["folder"]) if task.source_kind == "folder" else Path(snakemake.input[0]).parent
        splits, ids = task_splits(task, origin, origin)
    else:
        origin = archive_to_unpack(snakemake.input, Path(out.raw[0]))
        with tempfile.TemporaryDirectory() as tmp:
            splits, ids = task_splits(task, unpack_all(origin, Path(tmp)), origin)
    write_task(splits, ids, out.raw, out.split_ids)
    counts = ", ".join(f"{split} {len(texts)}" for split, (texts, _) in splits.items())
    carved = " (valid carved from train: see split_ids.tsv)" if "valid" not in task.source_splits() else ""
    print(f"task {task.name} from {origin}: {counts} examples{carved}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
