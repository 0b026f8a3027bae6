"""What dropout costs on this CPU. First its parts on one activation (8 x 256 x 512, one thread):
`F.dropout` as the jobs call it, its `bernoulli_` mask alone, a mask of one random word per
element (`rand_like(x) >= p`), a mask from numpy's PCG64DXSM stream seeded by one draw of
torch's generator (as torch seeds MKL's stream on an Intel CPU; 32-bit words against p * 2^32),
dropout with that mask, the multiply alone. Then its share of a real-size training step: the HF branch's step (full
fine-tuning of roberta_small, V = 32005, batch 8 x 160 tokens, 30 of them padding) and a PEFT
method's (BitFit), with the model's dropout at 0.1 and at 0, median of ``--steps`` steps.

    python tools/dropout_cost.py [--steps 8] [--repeats 2]

docs/benchmarks/<machine>.md keeps what it printed on each machine.
"""
from __future__ import annotations

import argparse
import statistics
import time

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)

import torch  # noqa: E402

P = 0.1


def milliseconds(work, repeats: int = 20) -> float:
    work()  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        work()
    return 1000 * (time.perf_counter() - started) / repeats


def stream_mask(x: torch.Tensor) -> torch.Tensor:
    """A keep-mask from a PCG64DXSM stream seeded by one 62-bit draw of torch's generator."""
    import numpy as np

    seed = int(torch.randint(0, 2**62, (1,)).item())
    words = np.random.PCG64DXSM(seed).random_raw((x.numel() + 1) // 2).view(np.uint32)[: x.numel()]
    return torch.from_numpy(words >= np.uint32(round(P * 2**32))).view(x.shape)


def parts() -> dict:
    x = torch.randn(8, 256, 512)
    return {"F.dropout(x, 0.1)": milliseconds(lambda: torch.nn.functional.dropout(x, P, True)),
            "its mask alone, bernoulli_": milliseconds(lambda: torch.empty_like(x).bernoulli_(1 - P)),
            "a mask from rand_like(x) >= p": milliseconds(lambda: torch.rand_like(x) >= P),
            "a mask from a seeded PCG64DXSM": milliseconds(lambda: stream_mask(x)),
            "dropout with that mask": milliseconds(lambda: x * stream_mask(x) * (1 / (1 - P))),
            "the multiply alone": milliseconds(lambda: x * (1 / (1 - P)))}


def step_seconds(dropout: bool, spec: dict | None, steps: int) -> float:
    """Median training step of the model, its dropout as configured (0.1) or off."""
    from ftlib.bench.steps import timed_classifier, train_step_seconds, without_dropout

    model = timed_classifier((4, 512, 512, 8), 32005, spec)
    model = model if dropout else without_dropout(model)
    lengths = [160] * 6 + [130] * 2
    return statistics.median(train_step_seconds(model, lengths, [list(range(8))] * steps, 32005))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8, help="training steps timed per setting")
    parser.add_argument("--repeats", type=int, default=2, help="times each pair of settings is timed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread")
    for name, ms in parts().items():
        print(f"{name:32s} {ms:6.1f} ms")
    for name, spec in (("HF (full fine-tuning)", None), ("PEFT BitFit", {"kind": "bitfit"})):
        for _ in range(args.repeats):
            with_dropout, without = (step_seconds(on, spec, args.steps) for on in (True, False))
            print(f"{name}: {with_dropout:.3f} s/step with dropout {P}, {without:.3f} without: "
                  f"dropout is {100 * (1 - without / with_dropout):.1f} % of the step")


if __name__ == "__main__":
    main()
