"""A user's file of texts to label (`snakemake predict`): one text per line, or a TSV with a
header (the text in column ``text``, a pair task's second text in ``text2``, as the task sheet
names them; other columns are kept out). Bad input is one line naming the file and the line."""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError
from ftlib.data.checks import read_lines
from ftlib.data.task_sources import read_table


def read_texts(path, columns: list[str]) -> list:
    """The texts of ``path``: ``columns`` (one name, or a pair's two) of a .tsv, else its lines.
    A pair task takes a TSV only (a line holds one text)."""
    path = Path(path)
    if path.suffix == ".tsv":
        header, rows = read_table(path, "tsv")
        missing = [c for c in columns if c not in header]
        if missing:
            raise InputError(path, f"no column {', '.join(map(repr, missing))} (the header has {', '.join(map(repr, header))})")
        texts = [tuple(row[c] for c in columns) for row in rows]
        first_line = 2  # after the header
    else:
        if len(columns) > 1:
            raise InputError(path, f"a pair task reads a .tsv with columns {', '.join(map(repr, columns))}, not lines")
        texts, first_line = [(line,) for line in read_lines(path)], 1
        if not texts:
            raise InputError(path, "empty file: no text to label")
    for number, text in enumerate(texts, start=first_line):
        if not all(part.strip() for part in text):
            raise InputError(path, "empty text", number)
    return [t[0] if len(t) == 1 else t for t in texts]
