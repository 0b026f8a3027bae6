"""Snakemake script: download one file of the task sheet: an archive (source.url, shared by the
tasks that name it) or one split's plain file (source.urls)."""
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_holding_paths, fetch, plain_text_file
from ftlib.data.task_sources import split_member_names
from ftlib.data.tasks import is_archive


def main():
    tasks, target = snakemake.params.tasks, Path(snakemake.output[0])
    missing = [" ".join(Path(p).name for p in files if not Path(p).exists()) + f" into {Path(files[0]).parent}/"
               for files in snakemake.params.provides]
    what = "the archive" if is_archive(target.name) else "the file"
    by_hand = f"without network, put {what} at {target}, or the files {'; '.join(missing)} by hand"
    sha256 = next((t.source["sha256"] for t in tasks if t.source.get("sha256") and "url" in t.source), "")
    if is_archive(target.name):
        members = list(dict.fromkeys(name for t in tasks for name in split_member_names(t)))
        verify = archive_holding_paths(members)
    else:
        verify = plain_text_file
    fetch(snakemake.params.url, target, sha256, by_hand, verify=verify)


run_step(main, snakemake.output, snakemake.log[0])
