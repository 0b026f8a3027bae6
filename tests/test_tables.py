"""ftlib.core.tables: the Markdown table every report writes, byte for byte."""
from ftlib.core.tables import markdown_table


def test_markdown_table_lines_separator_and_str_cells():
    lines = markdown_table(["init", "seed", "acc."], [["pretrained", 0, 81.5], ("scratch", 1, f"{62.54:.1f}")])
    assert lines == [
        "| init | seed | acc. |",
        "|---|---|---|",
        "| pretrained | 0 | 81.5 |",
        "| scratch | 1 | 62.5 |",
    ]


def test_markdown_table_empty_cells_and_no_rows():
    assert markdown_table(["", "loss"], iter([["before", 1.5], ["x", ""]])) == [
        "| | loss |", "|---|---|", "| before | 1.5 |", "| x | |"]
    assert markdown_table(["a"], []) == ["| a |", "|---|"]
