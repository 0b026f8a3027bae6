"""Snakemake script: download one file of the download index (ftlib/data/download_index.py): a
task's archive or split file, or the real checkpoint's archive, checked before it counts as done."""
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.data.download import archive_holding_paths, fetch, plain_text_file
from ftlib.data.tasks import is_archive


def main():
    download, target = snakemake.params.download, Path(snakemake.output[0])
    verify = archive_holding_paths(download.members) if is_archive(target.name) else plain_text_file
    fetch(download.url, target, download.sha256, download.by_hand(), verify=verify)


run_step(main, snakemake.output, snakemake.log[0])
