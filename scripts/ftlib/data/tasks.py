"""The task sheet: tasks as data (config/tasks.yaml and the files of config key task_sheets).

Each entry says where a classification task's splits come from (the demo's generator, an
archive URL or a local folder), their format, the label set, how valid is made when the source
has none, and the task's published references. The workflow reads the sheet at start-up; a bad
entry stops it there in one line naming the sheet, the task and the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

SPLITS = ("train", "valid", "test")
# The file of each split in a source, by format, when the entry's `files` does not name it.
EXTENSIONS = {"lines": "", "tsv": ".tsv", "jsonl": ".jsonl", "cls_xml": ".review"}


class SheetError(Exception):
    """A bad sheet entry: the message is one line naming the sheet, the task and the key."""


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    mode: str
    source: dict
    labels: tuple
    format: str = "lines"
    files: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    title_in_text: bool = False
    valid: dict | None = None
    references: tuple = ()
    references_note: str = ""
    references_for: str = "verdict"  # scale: another task's references, shown with no verdict
    sheet: str = ""

    @property
    def is_pair(self) -> bool:
        """A sentence-pair task (MRPC, RTE, the demo's pairs): two texts per example."""
        return "text2" in self.columns or self.source.get("generator") == "demo_pairs"

    def text_files(self) -> list[str]:
        """The raw layout's text files of one split: review, and review2 for a pair task."""
        return ["review", "review2"] if self.is_pair else ["review"]

    @property
    def source_kind(self) -> str:
        """generator, url, urls or folder (the schema allows exactly one)."""
        return next(kind for kind in ("generator", "url", "urls", "folder") if kind in self.source)

    def download_urls(self) -> list[str]:
        """What the task downloads: its archive, or each split's file (source.urls)."""
        if "url" in self.source:
            return [self.source["url"]]
        return list(dict.fromkeys(self.source.get("urls", {}).values()))

    def split_file(self, split: str) -> str:
        """The split's file in the source (lines: the stem of its .review and .label); with
        source.urls, the name its download has."""
        if split not in self.files and split in self.source.get("urls", {}):
            return archive_name(self.source["urls"][split])
        return self.files.get(split, split + EXTENSIONS[self.format])

    def source_splits(self) -> list[str]:
        """The splits the source holds: valid is carved from train when the entry says how."""
        given = "valid" in self.files or "valid" in self.source.get("urls", {})
        return [s for s in SPLITS if not (s == "valid" and self.valid and not given)]

    def where(self, key: str = "") -> str:
        return f"{self.sheet}: task {self.name}" + (f": {key}" if key else "")


def read_sheet(path, what: str = "task sheet") -> dict:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SheetError(f"{path}: {what} not found") from None
    except yaml.YAMLError as err:
        raise SheetError(f"{path}: not a YAML file ({str(err).splitlines()[0]})") from None


def schema_errors(sheet: dict, schema: dict, path: str, entries: str = "tasks") -> str | None:
    """The schema's first finding in one line: the entry's name (a task, a model) and the key's
    path, or None."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    found = sorted(validator.iter_errors(sheet), key=lambda e: list(map(str, e.absolute_path)))
    if not found:
        return None
    error = jsonschema.exceptions.best_match(found)
    where = list(error.absolute_path)
    if len(where) >= 2 and where[0] == entries and isinstance(where[1], int):
        entry = sheet[entries][where[1]]
        name = entry.get("name", f"#{where[1] + 1}") if isinstance(entry, dict) else f"#{where[1] + 1}"
        key = ".".join(map(str, where[2:]))
        return f"{path}: {entries[:-1]} {name}: {key or 'entry'}: {error.message}"
    return f"{path}: {'.'.join(map(str, where)) or 'top level'}: {error.message}"


def load_tasks(paths, schema_path) -> dict[str, Task]:
    """Every entry of the sheets, in order, by name; a schema finding, a name given twice or an
    entry the schema cannot judge (a generator task not named after it) is a SheetError."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    tasks: dict[str, Task] = {}
    for path in map(str, paths):
        sheet = read_sheet(path)
        problem = schema_errors(sheet, schema, path)
        if problem:
            raise SheetError(problem)
        for entry in sheet["tasks"]:
            entry = dict(entry)
            name = entry["name"]
            if name in tasks:
                raise SheetError(f"{path}: task {name}: name: two tasks with one name "
                                 f"(also in {tasks[name].sheet})")
            task = Task(**{**entry, "labels": tuple(entry["labels"]),
                           "references": tuple(entry.get("references", ())), "sheet": path})
            check_entry(task)
            tasks[name] = task
    return tasks


def check_entry(task: Task) -> None:
    """What the schema cannot say about one entry."""
    if task.source_kind == "generator":
        if task.mode != "demo":
            raise SheetError(task.where("mode") + f": the {task.source['generator']} generator's "
                             "task runs in mode demo (on the demo's checkpoint)")
        if task.source["generator"] == "demo_pairs":
            return
        # the demo's generator writes data/demo/ (the demo checkpoint pretrains on its text)
        if task.name != task.source["generator"]:
            raise SheetError(task.where("source.generator") + f": the {task.source['generator']} generator "
                             f"builds the task named {task.source['generator']} in mode demo only")
        return
    if task.format in ("tsv", "jsonl") and not task.columns:
        raise SheetError(task.where("columns") + f": format {task.format} needs the text and label columns")
    if task.format not in ("tsv", "jsonl") and task.columns:
        raise SheetError(task.where("columns") + f": format {task.format} has no columns")
    if task.title_in_text and task.format != "cls_xml":
        raise SheetError(task.where("title_in_text") + ": only format cls_xml has titles")
    if task.name == "demo":  # data/demo/ is the generator's
        raise SheetError(task.where("name") + ": demo is the name of the generated demo task")


def select(tasks: dict[str, Task], requested, present) -> list[str]:
    """The names a run takes: config key `tasks` (a list of sheet names, or auto: cls-books
    when its real inputs are in place, else the demo). ``present(task)`` says whether a task's
    inputs are in place."""
    if requested == "auto":
        return ["cls-books"] if "cls-books" in tasks and present(tasks["cls-books"]) else ["demo"]
    names = [requested] if isinstance(requested, str) else list(requested)
    unknown = [n for n in names if n not in tasks]
    if unknown:
        raise SheetError(f"config: tasks: {', '.join(unknown)} not in the task sheet "
                         f"(known: {', '.join(tasks)})")
    if len(set(names)) != len(names):
        raise SheetError(f"config: tasks: a task named twice ({', '.join(names)})")
    return names


def archive_name(url: str) -> str:
    """A download's file name in data/downloads/: the URL's last part (without a query)."""
    return url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download"


def is_archive(name: str) -> bool:
    return name.endswith((".zip", ".tar.gz", ".tgz"))


def references_by_source(task: Task, branch: str, init: str) -> dict[str, list[float]]:
    """{source: per-seed accuracies} of the task's published results for one branch and init."""
    return {r["source"]: list(r["seeds"]) for r in task.references
            if r["branch"] == branch and r["init"] == init}


def reference_sources(task: Task, branch: str) -> list[str]:
    """The sources of a branch's references, in sheet order (the reports' columns)."""
    return list(dict.fromkeys(r["source"] for r in task.references if r["branch"] == branch))
