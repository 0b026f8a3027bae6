"""Snakemake script: download one archive of the task sheet (the tasks that share it: their url)."""
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_holding_paths, fetch
from ftlib.data.task_sources import split_member_names


def main():
    tasks, archive = snakemake.params.tasks, Path(snakemake.output[0])
    missing = [" ".join(Path(p).name for p in files if not Path(p).exists()) + f" into {Path(files[0]).parent}/"
               for files in snakemake.params.provides]
    by_hand = f"without network, put the archive at {archive}, or the files {'; '.join(missing)} by hand"
    sha256 = next((t.source["sha256"] for t in tasks if t.source.get("sha256")), "")
    members = list(dict.fromkeys(name for t in tasks for name in split_member_names(t)))
    fetch(tasks[0].source["url"], archive, sha256, by_hand, verify=archive_holding_paths(members))


run_step(main, snakemake.output, snakemake.log[0])
