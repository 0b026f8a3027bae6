"""The check that the fairseq and HF runs' logged lr curves coincide (read them with
ftlib.core.metrics.read_scalars(tensorboard_dir, "train_inner", "lr"))."""
from __future__ import annotations


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
