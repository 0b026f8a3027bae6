"""Side-by-side numbers of the fairseq and HF runs, and the check that their lr curves coincide."""
from __future__ import annotations

from pathlib import Path


def read_lr(tensorboard_dir) -> list[tuple[int, float]]:
    """(update, lr) from a run's train_inner events, at float32 precision.

    ftlib.metrics.read_scalars rounds to 4 decimals (right for accuracies in %), which
    would flatten lrs of 1e-5 to 0; lrs are compared relatively, so they are kept whole.
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    path = Path(tensorboard_dir) / "train_inner"
    if not path.is_dir():
        return []
    events = EventAccumulator(str(path), size_guidance={"scalars": 0})
    events.Reload()
    if "lr" not in events.Tags().get("scalars", []):
        return []
    return [(e.step, float(f"{e.value:.7g}")) for e in events.Scalars("lr")]


def lr_disagreements(fairseq_lr, hf_lr, rel_tol: float = 0.01) -> list[str]:
    """Steps where the two runs' logged lr differ by more than ``rel_tol`` (or one lacks the step).

    Both toolkits log the lr of the next update after every log_interval updates.
    """
    fs, hf = dict(fairseq_lr), dict(hf_lr)
    problems = [f"step {s}: only {'fairseq' if s in fs else 'hf'} logged an lr" for s in sorted(set(fs) ^ set(hf))]
    for step in sorted(set(fs) & set(hf)):
        a, b = fs[step], hf[step]
        if abs(a - b) > rel_tol * max(abs(a), abs(b)) and max(abs(a), abs(b)) > 1e-12:
            problems.append(f"step {step}: fairseq lr {a:.6g} vs hf lr {b:.6g}")
    return problems
