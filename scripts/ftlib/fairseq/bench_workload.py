"""A real-size synthetic workload for the benchmark, built offline.

Timing does not depend on what the tokens mean, only on how many there are: random token
ids over a full-size vocabulary (V = 32000 with dict.txt + specials) and review lengths drawn
to match CLS-books after SentencePiece (mean ~120 pieces, a long tail cut at max_positions).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from ftlib.core.textio import write_lines


@dataclass(frozen=True)
class WorkloadSpec:
    train: int = 1800
    valid: int = 200
    test: int = 2000
    mean_length: float = 120.0
    max_positions: int = 256
    vocab_entries: int = 31995   # dict.txt lines: + 4 specials + <mask> = 32000
    seed: int = 0

    def __post_init__(self):
        if min(self.train, self.valid, self.test) < 1 or self.mean_length < 2:
            raise ValueError(f"benchmark workload: sizes must be positive, got {self}")


def draw_lengths(rng: random.Random, n: int, mean: float, cap: int) -> list[int]:
    """Log-normal review lengths (reviews have a long tail), truncated as fairseq truncates.

    Two of the positions are <s> and </s>, so a review keeps at most cap - 2 pieces.
    """
    sigma = 0.6
    mu = math.log(mean) - sigma * sigma / 2
    return [max(2, min(cap - 2, round(rng.lognormvariate(mu, sigma)))) for _ in range(n)]


def write_workload(spec: WorkloadSpec, folder) -> dict:
    """dict.txt, {split}.tok (space-separated symbols) and {split}.label under ``folder``."""
    folder = Path(folder)
    rng = random.Random(spec.seed)
    symbols = [f"w{i}" for i in range(spec.vocab_entries)]
    write_lines(folder / "dict.txt", [f"{s} 1" for s in symbols])
    lengths = {}
    for split in ("train", "valid", "test"):
        lens = draw_lengths(rng, getattr(spec, split), spec.mean_length, spec.max_positions)
        write_lines(folder / f"{split}.tok", [" ".join(rng.choices(symbols, k=n)) for n in lens])
        write_lines(folder / f"{split}.label", [str(rng.randint(0, 1)) for _ in lens])
        lengths[split] = [n + 2 for n in lens]  # with <s> and </s>, as the model sees them
    return lengths
