"""No function over 60 lines in scripts/ and tools/: long steps are split into measure, compute and
render functions a reader can take one at a time."""
import ast

from conftest import REPO

LIMIT = 60


def long_functions() -> list[str]:
    found = []
    for folder in ("scripts", "tools"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = node.end_lineno - node.lineno + 1
                    if lines > LIMIT:
                        found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_over_60_lines():
    assert long_functions() == []


def test_the_count_sees_a_long_function(tmp_path, monkeypatch):
    import conftest

    (tmp_path / "scripts").mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (tmp_path / "scripts/long.py").write_text(f"def long():\n{body}\n")
    monkeypatch.setattr(conftest, "REPO", tmp_path)
    monkeypatch.setitem(globals(), "REPO", tmp_path)
    assert long_functions() == ["scripts/long.py:1 long (61 lines)"]
