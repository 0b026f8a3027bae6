"""Does regional compilation pay on this CPU? The HF branch's training step of the real model
(roberta_small: 4 layers, dim 512, FFN 512, 8 heads, V = 32005, batch 8) timed eager and with each
transformer layer compiled by torch.compile (inductor; the layer class, not the whole model), on
one thread as the workflow's jobs run, over batches of the widths a CLS-books epoch has.

    python tools/regional_compile.py [--steps 20] [--dynamic]

Prints the compile time (the first steps' extra time) and the steady step time of each; the
workflow keeps eager where compiled is not faster (docs/benchmarks/<machine>.md).
"""
from __future__ import annotations

import argparse
import statistics
import time

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)

import torch  # noqa: E402

WIDTHS = [64, 96, 128, 160, 200, 256, 80, 140, 180, 230]  # padded batch widths of a CLS-books epoch


def step_times(compiled: bool, steps: int, dynamic: bool) -> list[float]:
    from ftlib.bench.steps import roberta_classifier

    torch.manual_seed(0)
    model = roberta_classifier(4, 512, 512, 8, 32005)
    if compiled:
        for layer in model.roberta.encoder.layer:
            layer.compile(dynamic=dynamic)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01, fused=True)
    rng, times = torch.Generator().manual_seed(0), []
    widths = WIDTHS if dynamic else WIDTHS[3:4]  # static shapes: one width, no recompilation
    for i in range(len(widths) + steps):
        ids = torch.randint(5, 32000, (8, widths[i % len(widths)]), generator=rng)
        started = time.perf_counter()
        model(input_ids=ids, attention_mask=torch.ones_like(ids),
              labels=torch.randint(0, 2, (8,), generator=rng)).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="steady steps timed after the first round of widths")
    parser.add_argument("--dynamic", action="store_true", help="every width of the epoch (dynamic shapes)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    warm = len(WIDTHS) if args.dynamic else 1
    eager, compiled = (step_times(flag, args.steps, args.dynamic) for flag in (False, True))
    steady = {name: statistics.mean(t[warm:]) for name, t in (("eager", eager), ("compiled", compiled))}
    compile_seconds = sum(compiled[:warm]) - sum(eager[:warm])
    print(f"torch {torch.__version__}, 1 thread, {'dynamic' if args.dynamic else 'static'} shapes")
    print(f"eager:    {1000 * steady['eager']:.0f} ms/step")
    print(f"compiled: {1000 * steady['compiled']:.0f} ms/step after {compile_seconds:.1f} s of compilation")
    print(f"eager / compiled: {steady['eager'] / steady['compiled']:.2f}x")


if __name__ == "__main__":
    main()
