"""Reading a task's splits from its source (a local folder or an unpacked archive) in any of the
sheet's formats, carving valid from train when the source has none, and laying the task out as
every branch reads it: data/<task>/raw/<split>.review and <split>.label, one per line.
"""
from __future__ import annotations

import csv
import html
import re
from collections import Counter
from pathlib import Path

import numpy as np

from ftlib.core.errors import InputError
from ftlib.core.textio import write_lines
from ftlib.data.checks import json_object, read_lines
from ftlib.data.tasks import SPLITS, Task


def find_member(root: Path, relative: str) -> Path | None:
    """``relative`` under ``root``, else the first file whose path ends with it (an archive's
    top folder varies), leaving out macOS's __MACOSX/."""
    direct = root / relative
    if direct.is_file():
        return direct
    tail = Path(relative).parts
    found = sorted(p for p in root.rglob(Path(relative).name)
                   if "__MACOSX" not in p.parts and p.is_file() and p.parts[-len(tail):] == tail)
    return found[0] if found else None


def split_paths(task: Task, root: Path, split: str) -> list[Path] | None:
    """The file(s) of one split in ``root`` (lines: its .review and .label), None when absent."""
    stem = task.split_file(split)
    names = [stem + ".review", stem + ".label"] if task.format == "lines" else [stem]
    found = [find_member(root, name) for name in names]
    return None if any(f is None for f in found) else found


def split_member_names(task: Task) -> list[str]:
    """The files the task's source must hold (lines: each split's .review and .label)."""
    names = []
    for split in task.source_splits():
        stem = task.split_file(split)
        names += [stem + ".review", stem + ".label"] if task.format == "lines" else [stem]
    return names


def clean(text: str) -> str:
    """One line of text: newlines and tabs become spaces (the raw layout is one text per line)."""
    return " ".join(str(text).split())


def read_table(path: Path, fmt: str) -> tuple[list[str], list[dict]]:
    """(columns, rows) of a TSV (header line, no quoting: GLUE's files hold bare quotes) or JSONL
    file (its columns: the keys of its first object), read once."""
    if fmt == "tsv":
        lines = read_lines(path)
        if not lines:
            raise InputError(path, "empty file: no header line")
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns, rows = list(reader.fieldnames or []), []
        for row in reader:
            # a tab inside a text adds a field (DictReader files the extra under None), a missing one
            # leaves None: either way the columns after it would be read from the wrong field
            if None in row or None in row.values():
                fields = len(lines[reader.line_num - 1].split("\t"))
                raise InputError(path, f"{fields} field{'s' * (fields != 1)}, the header {len(columns)} (a tab inside a text?)",
                                 reader.line_num)
            rows.append(row)
        if not rows:
            raise InputError(path, f"a header line ({', '.join(map(repr, columns))}) and no rows")
        return columns, rows
    rows = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        rows.append(json_object(line, path, number))
    return (list(rows[0]) if rows else []), rows


ITEM = re.compile(r"<item>(.*?)</item>", re.S)


def xml_field(item: str, name: str) -> str:
    found = re.search(rf"<{name}>(.*?)</{name}>", item, re.S)
    return html.unescape(found.group(1)) if found else ""


def read_cls_xml(path: Path, title_in_text: bool) -> tuple[list[str], list[str]]:
    """Webis-CLS-10's review files as FLUE reads them: <item>s with <rating> (its first character a
    digit 1-5), <title> and <text>; label 1 when the rating is above 3, else 0."""
    texts, labels = [], []
    content = path.read_text(encoding="utf-8-sig", errors="strict")
    for number, item in enumerate(ITEM.findall(content), start=1):
        rating = xml_field(item, "rating").strip()
        if not rating[:1].isdigit():
            raise InputError(path, f"item {number}: rating {rating!r} does not start with a digit")
        text = xml_field(item, "text")
        if title_in_text:
            text = f"{text} {xml_field(item, 'title')}"
        texts.append(clean(text))
        labels.append("1" if int(rating[0]) > 3 else "0")
    if not texts:
        raise InputError(path, "no <item> element: not a Webis-CLS-10 review file")
    return texts, labels


def read_split(task: Task, files: list[Path]) -> tuple[list, list[str]]:
    """(texts, labels) of one split, each text on one line (a pair task: (first, second) tuples);
    a missing column or second text, or a label outside the task's label set, is an InputError
    naming the file (and line), before any training."""
    if task.format == "lines":
        texts, labels = read_lines(files[0]), [label.strip() for label in read_lines(files[1])]
        label_file = files[1]
    elif task.format == "cls_xml":
        texts, labels = read_cls_xml(files[0], task.title_in_text)
        label_file = files[0]
    else:
        path = files[0]
        present, rows = read_table(path, task.format)
        for key in ("text", "text2", "label"):
            column = task.columns.get(key)
            if column is not None and column not in present:
                raise InputError(path, f"task {task.name}: columns.{key}: no column {column!r} "
                                       f"(the file has {', '.join(map(repr, present)) or 'none'})")
        first_row = 2 if task.format == "tsv" else 1  # a TSV's first line is its header
        for key in ("text", "text2"):
            column = task.columns.get(key)
            missing = next((i for i, row in enumerate(rows, start=first_row)
                            if column is not None and row.get(column) in (None, "")), None)
            if missing is not None:
                what = "a pair task's row without its second text" if key == "text2" else "no text"
                raise InputError(path, f"task {task.name}: {what} (column {column!r})", missing)
        texts = [clean(row[task.columns["text"]]) for row in rows]
        if task.is_pair:
            texts = [(text, clean(row[task.columns["text2"]])) for text, row in zip(texts, rows)]
        labels = [str(row[task.columns["label"]]).strip() for row in rows]
        label_file = path
    first_line = 2 if task.format == "tsv" else 1
    allowed = set(task.labels)
    for number, label in enumerate(labels, start=first_line if task.format in ("tsv", "jsonl") else 1):
        if label not in allowed:
            raise InputError(label_file, f"task {task.name}: label {label!r} is not in the sheet's label set "
                                         f"{{{', '.join(task.labels)}}}", number)
    return [t if isinstance(t, tuple) else clean(t) for t in texts], labels


def carve_valid(labels: list[str], size: float, seed: int) -> list[int]:
    """Indices of train drawn as valid: the same share of each label (a count, or a share of
    train below 1), by a seeded draw, so that anyone can rebuild the split."""
    total = len(labels)
    wanted = round(size * total) if size < 1 else int(size)
    if not 0 < wanted < total:
        raise ValueError(f"cannot carve {wanted} valid examples from {total} train examples")
    rng = np.random.default_rng(seed)
    counts = Counter(labels)
    chosen = []
    for label in sorted(counts):  # a fixed order: the draw does not depend on the file's order of labels
        members = [i for i, l in enumerate(labels) if l == label]
        share = round(wanted * len(members) / total)
        chosen += rng.choice(members, size=min(share, len(members) - 1), replace=False).tolist()
    return sorted(chosen)


def task_splits(task: Task, root: Path, origin: Path) -> tuple[dict, list[tuple]]:
    """{split: (texts, labels)} of the task from ``root`` (a folder, or an unpacked archive that
    came from ``origin``), and the split ids: (split, source split, source line) per example."""
    splits, ids = {}, []
    for split in task.source_splits():
        files = split_paths(task, root, split)
        if files is None:
            names = (f"{task.split_file(split)}.review and .label" if task.format == "lines"
                     else task.split_file(split))
            raise InputError(origin, f"task {task.name}: no {split} split ({names})")
        splits[split] = read_split(task, files)
        if len(splits[split][0]) != len(splits[split][1]):
            raise InputError(files[0], f"task {task.name}: {len(splits[split][0])} texts but "
                                       f"{len(splits[split][1])} labels")
        if not splits[split][0]:
            raise InputError(files[0], f"task {task.name}: empty {split} split")
    if "valid" in splits:
        ids = [(split, split, i + 1) for split in SPLITS for i in range(len(splits[split][0]))]
        return splits, ids
    texts, labels = splits["train"]
    try:
        carved = set(carve_valid(labels, task.valid["size"], task.valid["seed"]))
    except ValueError as err:
        raise InputError(origin, f"task {task.name}: valid.size: {err}") from None
    keep = [i for i in range(len(texts)) if i not in carved]
    splits["train"] = ([texts[i] for i in keep], [labels[i] for i in keep])
    splits["valid"] = ([texts[i] for i in sorted(carved)], [labels[i] for i in sorted(carved)])
    ids = ([("train", "train", i + 1) for i in keep] + [("valid", "train", i + 1) for i in sorted(carved)]
           + [("test", "test", i + 1) for i in range(len(splits["test"][0]))])
    return splits, ids


def write_task(splits: dict, ids: list[tuple], raw_files: list[str], split_ids: str) -> None:
    """The raw layout (<split>.review, a pair's <split>.review2, <split>.label) and
    data/<task>/split_ids.tsv."""
    for path in raw_files:
        split, ext = Path(path).name.split(".")
        texts, labels = splits[split]
        column = {"review": [t[0] if isinstance(t, tuple) else t for t in texts],
                  "review2": [t[1] for t in texts if isinstance(t, tuple)], "label": labels}[ext]
        write_lines(path, column)
    write_lines(split_ids, ["split\tsource_split\tsource_line"]
                + [f"{split}\t{source}\t{line}" for split, source, line in ids])


def check_folder_task(task: Task) -> None:
    """A local folder's task, read once at start-up: its files, columns and labels (one line)."""
    root = Path(task.source["folder"])
    if not root.is_dir():
        raise InputError(root, f"task {task.name}: source.folder: no such folder")
    task_splits(task, root, root)
