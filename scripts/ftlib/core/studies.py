"""The published PEFT studies: each preset's `peft.study` block (config/presets/*.yaml), the one
source of every published PEFT accuracy. A run's own study (config peft.study) is its comparison,
with a verdict; the other presets' rows, matched to this run's methods by kind (bitfit ↔ bitfit,
lora ↔ lora, ...), are other models and tasks, shown for scale."""
from __future__ import annotations

from pathlib import Path

import yaml


def load_studies(folder, methods: dict) -> list[dict]:
    """Every preset's study in ``folder``: its name, its model (the preset's peft.model) and its
    accuracy rows, each with its method's kind (from the preset's peft.methods, else from
    ``methods``, config.yaml's); a row whose method has no kind there is left out."""
    studies = []
    for path in sorted(Path(folder).glob("*.yaml")):
        peft = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("peft", {})
        if "study" not in peft:
            continue
        specs = {**methods, **peft.get("methods", {})}
        rows = [{**row, "kind": specs[row["method"]]["kind"]} for row in peft["study"].get("accuracy", [])
                if "kind" in specs.get(row["method"], {})]
        studies.append({"name": peft["study"]["name"], "model": peft.get("model", ""), "accuracy": rows})
    return studies


def for_scale_cell(studies: list[dict], kind: str, exclude: str = "") -> str:
    """The published accuracies of the methods of this kind, one `model: task value, ...` per
    study (values of one task joined by /), leaving out the study named ``exclude`` (the run's
    own, compared with a verdict elsewhere); — where none."""
    parts = []
    for study in studies:
        by_task: dict[str, list[str]] = {}
        for row in study["accuracy"] if study["name"] != exclude else []:
            if row["kind"] == kind:
                by_task.setdefault(row["task"], []).append(f"{row['value']:.1f}")
        if by_task:
            parts.append(f"{study['model']}: " + ", ".join(f"{task} {' / '.join(dict.fromkeys(values))}"
                                                          for task, values in by_task.items()))
    return "; ".join(parts) or "—"
