"""Markdown tables as every report writes them: the header line, the `|---|` separator, one line
per row; cells are converted with `str`, and an empty cell is written `| |`."""


def _line(cells) -> str:
    return "|" + "|".join(f" {text} " if text else " " for text in map(str, cells)) + "|"


def markdown_table(header: list[str], rows) -> list[str]:
    """The table as lines: `| a | b |`, `|---|---|`, then `| c1 | c2 |` for each row of `rows`."""
    return [_line(header), "|" + "---|" * len(header)] + [_line(row) for row in rows]
