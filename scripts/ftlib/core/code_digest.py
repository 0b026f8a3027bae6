"""What a job's result depends on in code: its script and every project module the script imports,
directly or through other project modules (scripts/ftlib, scripts/fairseq_plugin), as one digest of
those files' code (comments and docstrings left out). Snakemake reruns a job when its script changes but not when a library module
does: the rules pass this digest as a param, so a library change reruns exactly the jobs that import
it, and a fresh checkout with the same contents (new mtimes) reruns nothing.
"""
from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2]  # scripts/
PACKAGES = ("ftlib", "fairseq_plugin")
# fairseq loads the plugin by folder (--user-dir), not by import: a module naming that folder
# depends on the whole plugin package
PLUGIN_MARK = "fairseq_plugin"


def module_file(name: str, root: Path = SCRIPTS) -> Path | None:
    """The file of a project module (``ftlib.core.stats`` -> scripts/ftlib/core/stats.py) under
    ``root`` (a tree's scripts/: a copy of the tree resolves its own modules)."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def file_stamp(path: Path) -> tuple:
    """A file as the cache below knows it: its path, and the mtime and size that a change of its
    content changes (every rule of a workflow reaches the same modules: each is parsed once)."""
    stat = Path(path).stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=None)
def parsed(stamp: tuple) -> tuple[frozenset, bool, bytes]:
    """One parse of a file: the project packages and modules its imports name (with their parent
    packages), whether it names the plugin's folder, and its code (code_text)."""
    path = Path(stamp[0])
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in found:
            if name.split(".")[0] in PACKAGES:
                parts = name.split(".")
                names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    # the code without docstrings: rewording prose reruns no job
    for node in ast.walk(tree):
        if isinstance(node, DOCUMENTED) and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str):
            node.body = node.body[1:] or [ast.Pass()]
    plugin = PLUGIN_MARK in text and path.parent.name != PLUGIN_MARK
    return frozenset(names), plugin, ast.dump(tree).encode()


def imported_modules(path: Path, root: Path = SCRIPTS) -> set[str]:
    """The project modules one file imports (absolute imports of ftlib / fairseq_plugin, their
    parent packages, and ``from pkg import module`` where module is a submodule)."""
    return set(project_imports(file_stamp(path), Path(root)))


@lru_cache(maxsize=None)
def project_imports(stamp: tuple, root: Path) -> frozenset[str]:
    names, plugin, _ = parsed(stamp)
    names = set(names)
    if plugin:
        names.update(f"{PLUGIN_MARK}.{p.stem}" for p in (root / PLUGIN_MARK).glob("*.py"))
    return frozenset(n for n in names if module_file(n, root) is not None)


@lru_cache(maxsize=None)
def module_path(name: str, root: Path) -> Path:
    """module_file of a module known to be there, resolved (once per workflow start)."""
    return module_file(name, root).resolve()


@lru_cache(maxsize=None)
def dependencies(script: str, root: Path = SCRIPTS) -> tuple[Path, ...]:
    """The script and every project file it reaches through imports (modules under ``root``), sorted."""
    start = Path(script).resolve()
    seen, todo = {start}, [start]
    while todo:
        for name in imported_modules(todo.pop(), root):
            file = module_path(name, Path(root))
            if file not in seen:
                seen.add(file)
                todo.append(file)
    return tuple(sorted(seen))


def code_text(file: Path) -> bytes:
    """What a file computes: its syntax tree without comments (the parser drops them) and without
    docstrings, so that rewording prose reruns no job; any other string (a report's text, a
    command's flag) is code and counts."""
    return parsed(file_stamp(file))[2]


def code_digest(script, root: Path = SCRIPTS) -> str:
    """sha256 (12 hex digits) of the code (code_text) of the script and the project modules it
    imports, each with its path relative to scripts/: the code decides, not mtime or prose."""
    digest = hashlib.sha256()
    root = Path(root).resolve()
    for file in dependencies(str(script), root):
        digest.update(str(file.relative_to(root)).encode() + b"\0" + code_text(file) + b"\0")
    return digest.hexdigest()[:12]
