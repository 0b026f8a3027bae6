"""Small file helpers: whole-file writes that never leave a half-written file behind."""
from __future__ import annotations

import json
import os
from pathlib import Path


def write_text_atomic(path, text: str) -> None:
    """Write to a temporary sibling, then rename: a crash leaves no truncated file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_lines(path, lines) -> None:
    write_text_atomic(path, "".join(f"{line}\n" for line in lines))


def write_tsv(path, columns: list[str], rows: list[dict]) -> None:
    """A header of ``columns``, then one tab-separated line of those keys per row."""
    write_lines(path, ["\t".join(columns)] + ["\t".join(str(row[c]) for c in columns) for row in rows])


def write_json(path, data) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
