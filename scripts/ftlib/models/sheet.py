"""The model sheet: models as data (config/models.yaml and the files of config key model_sheets).

Each entry says where a transformers model comes from: a project checkpoint that the workflow
converts (``checkpoint: demo | real``: the fairseq checkpoint of that mode, converted per task and
parity-checked), a hub name (downloaded once into models/hub/<name>/, or placed there by hand),
or a local folder. The PEFT branch loads any of them with AutoModelForSequenceClassification.
A bad entry stops the workflow at start-up in one line naming the sheet, the model and the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ftlib.data.tasks import SheetError, read_sheet, schema_errors


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    source: dict
    sheet: str = ""

    @property
    def source_kind(self) -> str:
        """checkpoint, hub or folder (the schema allows exactly one)."""
        return next(kind for kind in ("checkpoint", "hub", "folder") if kind in self.source)

    def folder(self, task: str) -> str:
        """Where the model's transformers files are for ``task``: the task's converted checkpoint,
        the hub download's folder, or the folder of the entry."""
        kind = self.source_kind
        if kind == "checkpoint":
            return f"models/{task}/hf_pretrained"
        if kind == "hub":
            return f"models/hub/{self.name}"
        return self.source["folder"]

    def where(self, key: str = "") -> str:
        return f"{self.sheet}: model {self.name}" + (f": {key}" if key else "")


def load_models(paths, schema_path) -> dict[str, Model]:
    """Every entry of the sheets, in order, by name; a schema finding or a name given twice is a SheetError."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    models: dict[str, Model] = {}
    for path in map(str, paths):
        sheet = read_sheet(path, "model sheet")
        problem = schema_errors(sheet, schema, path, "models")
        if problem:
            raise SheetError(problem)
        for entry in sheet["models"]:
            name = entry["name"]
            if name in models:
                raise SheetError(f"{path}: model {name}: name: two models with one name (also in {models[name].sheet})")
            models[name] = Model(**entry, sheet=path)
    return models


def model_for(models: dict[str, Model], requested: str, task: str, mode: str) -> Model:
    """The model the PEFT branch fine-tunes on ``task``: ``requested`` (a sheet name), or for
    ``auto`` the task's own checkpoint (its mode's); a checkpoint of another mode is refused."""
    if requested == "auto":
        return next(m for m in models.values() if m.source.get("checkpoint") == mode)
    if requested not in models:
        raise SheetError(f"config: peft.model: {requested} is not in the model sheets "
                         f"(known: {', '.join(models)})")
    model = models[requested]
    if model.source_kind == "checkpoint" and model.source["checkpoint"] != mode:
        raise SheetError(f"config: peft.model: {requested} is the {model.source['checkpoint']} checkpoint, "
                         f"converted on its own mode's tasks; task {task} runs in mode {mode}")
    if model.source_kind == "folder" and not Path(model.source["folder"], "config.json").is_file():
        raise SheetError(f"{model.where('source.folder')}: {model.source['folder']} holds no config.json "
                         f"(a transformers model folder: config.json, the weights and the tokenizer)")
    return model
