"""A task's published references as the reports print them: they come from the task sheet
(config/tasks.yaml), handed to each report by its rule (params.task), never from code."""
from __future__ import annotations

from ftlib.core.metrics import format_mean_std
from ftlib.core.tables import markdown_table
from ftlib.core.verdict import judge, verdict_text


def reference_sources(task: dict, branch: str | None = None) -> list[str]:
    """The sources of the task's references (of one branch, or all), in sheet order: the
    reports' reference columns."""
    return list(dict.fromkeys(r["source"] for r in task["references"]
                              if branch is None or r["branch"] == branch))


def published_seeds(task: dict, branch: str, init: str) -> dict[str, list[float]]:
    """{source: per-seed accuracies} of the task's references for one branch and init."""
    return {r["source"]: r["seeds"] for r in task["references"] if r["branch"] == branch and r["init"] == init}


def judged(task: dict) -> bool:
    """Whether the task's references get a verdict: they are its own (sheet key references_for),
    not another task's shown for scale."""
    return task.get("references_for", "verdict") == "verdict"


def reference_summary_lines(task: dict, groups, key_header: list[str], settings: dict,
                            branch: str | None = None) -> list[str]:
    """The section "Summary beside the published references" of the fairseq and HF reports. One
    row per group (its key cells, branch, init, this run's accuracies): this run's mean ±
    population std, then per source (of ``branch``, or all) the published one and its verdict
    (ftlib.core.verdict; ``settings``: config `verdict`), or — where that source has none."""
    sources = reference_sources(task, branch)
    rows = []
    for keys, group_branch, init, accs in groups:
        found = published_seeds(task, group_branch, init)
        cells = [cell for s in sources for cell in
                 ((format_mean_std(found[s]), judge(accs, found[s], settings, judged(task))) if s in found
                  else ("—", "—"))]
        rows.append([*keys, len(accs), format_mean_std(accs), *cells])
    header = [*key_header, "seeds", "this run (± population std)"]
    header += [column for s in sources for column in (s, f"verdict vs {s}")]
    lines = ["", "## Summary beside the published references", "",
             "Test accuracy, mean ± **population** std (ddof=0) over seeds: the references give theirs "
             "that way. The sample std, intervals and tests are in the next section.", ""]
    if sources:
        lines += [verdict_text(settings), ""]
    return lines + markdown_table(header, rows)


def task_intro(task: dict) -> list[str]:
    """The lines that say which task a report is about, and what its references are to it."""
    lines = [f"Task `{task['name']}` ({task['mode']} mode): {task['description']}.", ""]
    if task["references"] and task["references_note"]:
        lines += [f"Reference columns: {task['references_note']}.", ""]
    elif not task["references"]:
        lines += ["The task sheet lists no published reference for this task.", ""]
    return lines
