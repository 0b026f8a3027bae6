"""A task's published references as the reports print them: they come from the task sheet
(config/tasks.yaml), handed to each report by its rule (params.task), never from code."""
from __future__ import annotations

from ftlib.core.metrics import format_mean_std


def reference_sources(task: dict, branch: str | None = None) -> list[str]:
    """The sources of the task's references (of one branch, or all), in sheet order: the
    reports' reference columns."""
    return list(dict.fromkeys(r["source"] for r in task["references"]
                              if branch is None or r["branch"] == branch))


def reference_cells(task: dict, branch: str, init: str, sources: list[str]) -> list[str]:
    """One cell per source: the published mean ± population std (as the references give
    theirs), or — where that source has none for this branch and init."""
    found = {r["source"]: r["seeds"] for r in task["references"]
             if r["branch"] == branch and r["init"] == init}
    return [format_mean_std(found[s]) if s in found else "—" for s in sources]


def task_intro(task: dict) -> list[str]:
    """The lines that say which task a report is about, and what its references are to it."""
    lines = [f"Task `{task['name']}` ({task['mode']} mode): {task['description']}.", ""]
    if task["references"] and task["references_note"]:
        lines += [f"Reference columns: {task['references_note']}.", ""]
    elif not task["references"]:
        lines += ["The task sheet lists no published reference for this task.", ""]
    return lines
