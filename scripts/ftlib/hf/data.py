"""The HF branch's data: the same labelled splits as jsonl, in run_glue's layout.

One ``{"sentence1": review, "label": label}`` object per line; the label stays the string of
the .label file, so that the label list of the config decides the class index, as in the
fairseq branch (whose label dictionary is written in config order).
"""
from __future__ import annotations

import json
from pathlib import Path

from ftlib.data.checks import check_labelled_split, json_object
from ftlib.core.errors import InputError
from ftlib.core.textio import write_lines


def write_split_jsonl(review_path, label_path, label_set, out_path, review2_path=None) -> int:
    """Check a split exactly as prepare_split does, then write it as jsonl; returns its size. A
    pair task's second texts (``review2_path``) go to "sentence2"."""
    reviews, labels = check_labelled_split(review_path, label_path, label_set)
    rows = [{"sentence1": text, "label": label} for text, label in zip(reviews, labels)]
    if review2_path is not None:
        seconds, _ = check_labelled_split(review2_path, label_path, label_set)
        rows = [{"sentence1": row["sentence1"], "sentence2": second, "label": row["label"]}
                for row, second in zip(rows, seconds)]
    write_lines(out_path, [json.dumps(row, ensure_ascii=False) for row in rows])
    return len(reviews)


def read_jsonl(path, label_list) -> tuple[list, list[int]]:
    """Texts and class indices (positions in ``label_list``) of a jsonl split; a row with a
    "sentence2" (a pair task) gives the pair (sentence1, sentence2) as its text.

    A line that is not a JSON object with a string ``sentence1`` and a known ``label``
    stops with the file and line number.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file is missing")
    texts, labels = [], []
    allowed = [str(label) for label in label_list]
    with open(path, encoding="utf-8-sig") as handle:  # a byte-order mark is not text
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                raise InputError(path, "empty line", number)
            row = json_object(line, path, number)
            for key in ("sentence1", "label"):
                if key not in row:
                    raise InputError(path, f"lacks {key!r}", number)
            if not isinstance(row["sentence1"], str) or not row["sentence1"].strip():
                raise InputError(path, "'sentence1' is not a non-empty string", number)
            label = str(row["label"])
            if label not in allowed:
                raise InputError(path, f"label {label!r} is not in the label set {{{', '.join(allowed)}}}", number)
            if "sentence2" in row:
                if not isinstance(row["sentence2"], str) or not row["sentence2"].strip():
                    raise InputError(path, "'sentence2' is not a non-empty string", number)
                texts.append((row["sentence1"], row["sentence2"]))
            else:
                texts.append(row["sentence1"])
            labels.append(allowed.index(label))
    if not texts:
        raise InputError(path, "empty split: no examples")
    return texts, labels
