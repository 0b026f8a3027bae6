"""Reading a run's TensorBoard events, and the statistics the reports are made of."""
from __future__ import annotations

import math
from pathlib import Path


def read_scalars(logdir, subset: str, tag: str) -> list[tuple[int, float]]:
    """(step, value) pairs of one scalar that fairseq wrote under ``logdir/subset``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    path = Path(logdir) / subset
    if not path.is_dir():
        return []
    events = EventAccumulator(str(path), size_guidance={"scalars": 0})
    events.Reload()
    if tag not in events.Tags().get("scalars", []):
        return []
    # TensorBoard stores float32: 56.2 comes back as 56.2000007..., so keep float32's 7
    # significant digits (not decimals: a learning rate of 1e-5 must not become 0).
    # One value per step, the last written: a resumed run logs again the steps its killed
    # attempt logged after its last checkpoint (the same values: the runs are deterministic).
    by_step = {}
    for event in sorted(events.Scalars(tag), key=lambda e: e.wall_time):
        by_step[event.step] = float(f"{event.value:.7g}")
    return sorted(by_step.items())


def as_fairseq_logs(accuracy: float) -> float:
    """An accuracy in % as fairseq's sentence_prediction logs it (its metrics rounded to one
    decimal, Python's round: 357/400 = 89.25 -> 89.2, 355/400 = 88.75 -> 88.8), so that a number
    computed from predictions equals the one fairseq-validate prints and TensorBoard holds."""
    return round(accuracy, 1)


def best_epoch(valid_accuracies: list[float]) -> int:
    """0-based index of the best valid accuracy; ties go to the LATER epoch.

    fairseq keeps checkpoint_best.pt when the new score is >= the best so far
    (checkpoint_utils.save_checkpoint), so the later of equal epochs is the one it keeps.
    """
    if not valid_accuracies:
        raise ValueError("no valid accuracy to choose an epoch from")
    best = max(valid_accuracies)
    return max(i for i, value in enumerate(valid_accuracies) if value == best)


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and population standard deviation (ddof=0), as the reference reports give them."""
    if not values:
        raise ValueError("mean_std of no values")
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def format_mean_std(values: list[float]) -> str:
    """A report cell: mean to 1 decimal ± population std to 2, as the reference rows are written."""
    mean, std = mean_std(values)
    return f"{mean:.1f} ± {std:.2f}"


def run_metrics(tensorboard_dir, best_checkpoint_test: float | None = None) -> dict:
    """Per-epoch valid/test accuracy of a sentence_prediction run, and the reported number.

    fairseq validates once per epoch (valid, then test) and logs at the update count, so
    the i-th valid event is epoch i+1. The reported test accuracy is the one at the epoch
    with the best valid accuracy. When the test split was evaluated only once, on
    checkpoint_best.pt (the tuned path), pass that accuracy as ``best_checkpoint_test``:
    the other epochs then have no test accuracy.
    """
    valid = read_scalars(tensorboard_dir, "valid", "accuracy")
    test = read_scalars(tensorboard_dir, "test", "accuracy")
    if best_checkpoint_test is not None:
        if not valid or test:
            raise ValueError(f"{tensorboard_dir}: {len(valid)} valid and {len(test)} test accuracy "
                             "events; expected valid only when test is evaluated on the best checkpoint")
        test = [(step, None) for step, _ in valid]
    if not valid or len(valid) != len(test):
        raise ValueError(
            f"{tensorboard_dir}: {len(valid)} valid and {len(test)} test accuracy events; "
            "expected one of each per epoch"
        )
    epochs = [
        {"epoch": i + 1, "update": step, "valid_accuracy": v, "test_accuracy": t}
        for i, ((step, v), (_, t)) in enumerate(zip(valid, test))
    ]
    best = best_epoch([e["valid_accuracy"] for e in epochs])
    if best_checkpoint_test is not None:
        epochs[best]["test_accuracy"] = best_checkpoint_test
    return {
        "epochs": epochs,
        "best_epoch": best + 1,
        "best_valid_accuracy": epochs[best]["valid_accuracy"],
        "test_accuracy": epochs[best]["test_accuracy"],
        "lr": read_scalars(tensorboard_dir, "train_inner", "lr"),
    }
