"""scripts/ftlib has no import cycle: every ``import ftlib...`` / ``from ftlib... import ...``,
at module level or inside a function, is an edge of one graph, and that graph has no cycle.

A function-level import is counted too: one that only dodges a cycle hides it, it does not
break it. Importing ``a.b.c`` also runs the packages ``a`` and ``a.b`` (their ``__init__``) first,
so those count as edges of an importer outside them; a module inside a package does not depend
on that package's ``__init__`` by importing a sibling (the package is already being imported).
"""
from __future__ import annotations

from pathlib import Path

from conftest import SCRIPTS
from ftlib.core.code_digest import imported_modules

ROOT_PACKAGE = "ftlib"


def project_modules(scripts: Path = SCRIPTS) -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package is its ``__init__``)."""
    modules = {}
    for path in sorted((scripts / ROOT_PACKAGE).rglob("*.py")):
        parts = path.relative_to(scripts).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def dependencies(name: str, path: Path, modules: dict[str, Path], scripts: Path) -> set[str]:
    """The project modules that importing ``name`` runs: each module it imports (the workflow's
    own walk, ftlib.core.code_digest, which reads imports inside functions too), and the packages
    above it that ``name`` is not itself inside."""
    own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    if path.name != "__init__.py":
        own.discard(name)
    return {m for m in imported_modules(path, scripts) if m in modules and m not in own and m != name}


def import_graph(scripts: Path = SCRIPTS) -> dict[str, set[str]]:
    modules = project_modules(scripts)
    return {name: dependencies(name, path, modules, scripts) for name, path in modules.items()}


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same edges between ftlib's packages (ftlib.peft, ftlib.accounting, ...), each package
    with every module under it; edges inside one package and to ftlib itself are left out."""
    def package(name):
        return ".".join(name.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for name, imported in graph.items():
        edges.setdefault(package(name), set()).update(
            package(m) for m in imported if package(m) not in (package(name), ROOT_PACKAGE))
    return edges


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as [a, b, ..., a], or None (depth-first search, sorted: the same
    cycle is named on every run)."""
    done, stack, on_stack = set(), [], set()

    def visit(node):
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_stack:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        on_stack.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_function_level_imports_and_packages(tmp_path):
    """The checker itself: a cycle through a function-level import and a package's ``__init__``."""
    package = tmp_path / ROOT_PACKAGE / "p"
    package.mkdir(parents=True)
    (tmp_path / ROOT_PACKAGE / "__init__.py").write_text("")
    (tmp_path / ROOT_PACKAGE / "low.py").write_text("def f():\n    from ftlib.p.leaf import g\n")
    (package / "__init__.py").write_text("from ftlib.p import leaf\n")
    (package / "leaf.py").write_text("from ftlib import low\n")
    graph = import_graph(tmp_path)
    assert graph["ftlib.low"] == {"ftlib.p", "ftlib.p.leaf"}  # ftlib.p's __init__ runs first
    assert graph["ftlib.p.leaf"] == {"ftlib.low"}  # not its own package: that is being imported
    assert find_cycle(graph) == ["ftlib.low", "ftlib.p", "ftlib.p.leaf", "ftlib.low"]


def test_ftlib_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "ftlib.peft" in graph  # the walk found the library
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in scripts/ftlib: " + " -> ".join(cycle)


def test_ftlib_packages_are_layered():
    """No cycle between packages either (ftlib.peft's kinds use ftlib.models' shapes, the
    accounting applies ftlib.peft's kinds: neither the other way round)."""
    cycle = find_cycle(package_graph(import_graph()))
    assert cycle is None, "import cycle between scripts/ftlib packages: " + " -> ".join(cycle)
