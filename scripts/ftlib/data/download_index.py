"""Every file the workflow downloads into data/downloads/, built once from the task sheet and the
real checkpoint's config: its URL, checksum, what the download must hold and what it fills (the
files a user without network places by hand instead). One rule (`download`) serves them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ftlib.data.task_sources import split_member_names
from ftlib.data.tasks import SheetError, Task, archive_name, is_archive

CHECKPOINT = "checkpoint.zip"  # the real checkpoint's archive, whatever its URL's last part


@dataclass(frozen=True)
class Download:
    name: str  # the file in data/downloads/
    url: str
    sha256: str  # expected; empty: recorded on first download (data/downloads/checksums.tsv)
    members: tuple[str, ...]  # what an archive must hold (empty: a plain text file)
    provides: tuple[tuple[str, ...], ...]  # per reader (a task, the checkpoint), the files it fills
    tasks: tuple[str, ...] = ()  # the tasks that read it

    @property
    def path(self) -> str:
        return f"data/downloads/{self.name}"

    def by_hand(self) -> str:
        """What a user without network does instead: the download itself, or the files it fills."""
        missing = ["the files {} into {}/".format(" ".join(Path(p).name for p in files if not Path(p).exists()),
                                        Path(files[0]).parent) for files in self.provides]
        what = "the archive" if is_archive(self.name) else "the file"
        return f"without network, put {what} at {self.path}, or {'; '.join(missing)} by hand"


def task_downloads(tasks: dict[str, Task], raw_files) -> dict[str, Download]:
    """The task sheet's downloads by name: an archive (source.url, shared by the tasks that name
    it: FLUE's CLS domains) or one split's file (source.urls). ``raw_files(task)``: the files a
    task's import writes. Two URLs ending in the same name would share one file: refused."""
    urls: dict[str, set[str]] = {}
    readers: dict[str, list[Task]] = {}
    for task in tasks.values():
        for url in task.download_urls():
            urls.setdefault(archive_name(url), set()).add(url)
            readers.setdefault(archive_name(url), []).append(task)
    index = {}
    for name, found in urls.items():
        named = readers[name]
        if len(found) > 1:
            raise SheetError(f"task sheets: tasks {', '.join(t.name for t in named)}: source: two URLs "
                             f"ending in {name} (one file in data/downloads/)")
        sha256 = next((t.source["sha256"] for t in named if t.source.get("sha256") and "url" in t.source), "")
        members = tuple(dict.fromkeys(m for t in named for m in split_member_names(t))) if is_archive(name) else ()
        index[name] = Download(name, found.pop(), sha256, members,
                               tuple(tuple(raw_files(t.name)) for t in named), tuple(t.name for t in named))
    return index


def checkpoint_download(real: dict, checkpoint_files: list[str]) -> Download:
    """The published checkpoint's archive (config data.real): it must hold the files it fills."""
    return Download(CHECKPOINT, real["urls"]["checkpoint"], real["sha256"]["checkpoint"],
                    tuple(Path(p).name for p in checkpoint_files), (tuple(checkpoint_files),))


def download_index(tasks: dict[str, Task], raw_files, real: dict, checkpoint_files: list[str]) -> dict[str, Download]:
    """Every download by its file name in data/downloads/."""
    index = task_downloads(tasks, raw_files)
    if CHECKPOINT in index:
        raise SheetError(f"task sheets: tasks {', '.join(index[CHECKPOINT].tasks)}: source: a download "
                         f"named {CHECKPOINT}, the real checkpoint's (rename the URL's file)")
    return {**index, CHECKPOINT: checkpoint_download(real, checkpoint_files)}
