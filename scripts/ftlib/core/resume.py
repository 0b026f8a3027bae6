"""A training job's working folder, kept when the job is killed so that the next attempt resumes.

A killed job (a cluster's time limit or preemption, the OOM killer, a laptop lid) leaves its
declared outputs incomplete, and Snakemake deletes them before the next attempt; what a run needs
to continue (fairseq's checkpoint_last.pt with optimizer, scheduler and dataloader state; the
Trainer's checkpoint-N/ folders) therefore lives beside them, in ``<run dir>/in_progress/``, with
the settings it was started with. The next attempt resumes only from a folder started with the
same settings (else it starts over, saying so), and the folder is removed once the outputs are in
place.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ftlib.core.errors import remove_outputs

FOLDER = "in_progress"
SETTINGS = "settings.json"


class InProgress:
    def __init__(self, run_dir, settings: dict):
        self.path = Path(run_dir) / FOLDER
        self.settings = json.loads(json.dumps(settings, default=str))  # as it reads back from disk

    def started_with_same_settings(self) -> bool:
        try:
            return json.loads((self.path / SETTINGS).read_text()) == self.settings
        except (OSError, ValueError):
            return False

    def open(self, resumable: bool) -> bool:
        """True when the folder holds an earlier attempt to resume (``resumable``: its checkpoint
        is there) started with these settings; otherwise the folder is emptied and stamped."""
        if resumable and self.started_with_same_settings():
            return True
        if self.path.exists():
            reason = "other settings" if resumable else "no checkpoint to resume from"
            print(f"{self.path}: an earlier attempt's files ({reason}) removed; starting over", flush=True)
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        (self.path / SETTINGS).write_text(json.dumps(self.settings, indent=1, sort_keys=True) + "\n")
        return False

    def hand_over(self, name: str, destination) -> None:
        """Move ``name`` (a file or folder of the working folder) to the run's output path."""
        remove_outputs([destination])
        shutil.move(self.path / name, destination)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
