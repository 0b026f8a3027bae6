"""The documentation is current: README.md and docs/**/*.md link only to files (and headings)
that exist, and every `snakemake ...` command of their fenced code blocks plans (`-n`) on a
fresh checkout, with no data (the demo; real tasks plan their downloads).

A command that cannot plan there says why in a trailing comment of its own line,
``# (no dry run: <reason>)``; the test lists it as skipped with that reason.
"""
from __future__ import annotations

import re
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO, make_workdir, run_snakemake

DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
NO_DRY_RUN = re.compile(r"#\s*\(no dry run: ([^)]*)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose_and_code(path: Path) -> tuple[list[str], list[str]]:
    """A markdown file's lines outside fenced code blocks, and those inside."""
    prose, code, inside = [], [], False
    for line in path.read_text().splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        (code if inside else prose).append(line)
    return prose, code


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    for line in prose_and_code(path)[0]:
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[str]:
    """The relative links of a file's prose (inline code spans left out)."""
    text = "\n".join(re.sub(r"`[^`]*`", "", line) for line in prose_and_code(path)[0])
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def test_the_docs_exist_and_the_readme_is_short():
    assert (REPO / "docs").is_dir() and len(DOCS) > 1
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines (at most 150: details go to docs/)"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(path):
    broken = []
    for target in links(path):
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(REPO)}")
    assert not broken, f"{path.relative_to(REPO)}: " + "; ".join(broken)


# --- every snakemake command shown plans ---------------------------------------------------------

# options of snakemake that take one value, and those that take every word up to the next option
ONE_VALUE = {"--cores", "-c", "--jobs", "-j", "--profile", "--report", "--executor", "-e",
             "--slurm-status-command", "--directory", "-d", "--snakefile", "-s"}
MANY_VALUES = {"--config", "-C", "--configfile", "--configfiles", "--forcerun", "-R", "--until", "-U",
               "--omit-from", "-O", "--allowed-rules"}
DROPPED = {"--cores", "-c", "--jobs", "-j", "-n", "--dry-run", "--dryrun"}  # the test sets these


def shown_commands() -> tuple[list[str], list[tuple[str, str]]]:
    """Every `snakemake ...` line of a fenced block (continuation lines joined), comments
    dropped: those to plan, and (command, reason) of those marked as not plannable."""
    plan, skipped = [], []
    for path in DOCS:
        code = "\n".join(prose_and_code(path)[1]).replace("\\\n", " ")
        for line in code.splitlines():
            line = line.strip().removeprefix("$ ")
            if not line.startswith("snakemake "):
                continue
            command = shlex.split(line, comments=True)
            text = " ".join(command)
            marked = NO_DRY_RUN.search(line)
            if marked:
                skipped.append((text, f"{path.relative_to(REPO)}: {marked.group(1)}"))
            elif text not in plan:
                plan.append(text)
    return plan, skipped


def split_command(text: str) -> tuple[list[str], tuple[str, ...]]:
    """A command's targets, and its options (a hashable key; --cores and -n left out)."""
    words = shlex.split(text)[1:]
    targets, options, i = [], [], 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-"):
            targets.append(word)
            i += 1
            continue
        if word in ONE_VALUE:
            values = words[i + 1:i + 2]
        elif word in MANY_VALUES:
            values = []
            while i + 1 + len(values) < len(words) and not words[i + 1 + len(values)].startswith("-"):
                values.append(words[i + 1 + len(values)])
        else:
            values = []
        if word not in DROPPED:
            options += [word, *values]
        i += 1 + len(values)
    return targets, tuple(options)


def plan_groups() -> dict[tuple[str, ...], list[str]]:
    """The shown commands grouped by their options: one dry run per group plans all its targets."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for text in shown_commands()[0]:
        targets, options = split_command(text)
        group = groups.setdefault(options, [])
        group += [t for t in (targets or ["all"]) if t not in group]
    return groups


def group_id(options: tuple[str, ...]) -> str:
    return " ".join(options) or "(default options)"


@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory) -> dict:
    """Every group's dry run, side by side, each in a scratch folder of its own that sees the
    repository's config/ and profiles/ (as a clone does)."""
    def plan(index_and_group):
        index, (options, targets) = index_and_group
        work = make_workdir(tmp_path_factory.mktemp(f"docs_dry_run{index}"))
        (work / "profiles").symlink_to(REPO / "profiles")
        return options, run_snakemake(work, *targets, *options, "-n", "--quiet",
                                      configfile=None, check=False)

    tmp_path_factory.getbasetemp()  # made once here: threads making it at once collide (an xdist worker's first use)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(plan, enumerate(plan_groups().items())))


def test_the_docs_show_commands_to_plan():
    plan, skipped = shown_commands()
    assert len(plan) >= 5, plan
    for text, reason in skipped:
        assert reason.split(": ", 1)[1].strip(), f"{text}: a skipped command says why"


@pytest.mark.parametrize("options", list(plan_groups()), ids=group_id)
def test_every_shown_snakemake_command_plans_on_the_demo(options, dry_runs):
    proc = dry_runs[options]
    targets = plan_groups()[options]
    assert proc.returncode == 0, (f"snakemake {' '.join(targets)} {' '.join(options)} -n failed:\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-4000:]}")


@pytest.mark.parametrize("command,reason", shown_commands()[1] or [("(none)", "")],
                         ids=[command for command, _ in shown_commands()[1]] or ["none"])
def test_commands_that_cannot_plan_offline_are_marked(command, reason):
    if command != "(none)":
        pytest.skip(f"not planned: {command} ({reason})")
