"""What dropout costs on this CPU. First its parts on one activation (8 x 256 x 512, one thread):
torch's `F.dropout`, its `bernoulli_` mask alone, a mask of one random word per element
(`rand_like(x) >= p`), the stream's mask (`dropout_masks: stream`, ftlib.core.stream_dropout:
numpy's PCG64DXSM seeded by one draw of torch's generator, 32-bit words against p * 2^32),
dropout with it, the multiply alone. Then its share of a real-size training step: the HF branch's
step (full fine-tuning of roberta_small, V = 32005, batch 8 x 160 tokens, 30 of them padding) and
a PEFT method's (BitFit), with torch's masks, the stream's, and the model's dropout at 0, median
of ``--steps`` steps.

    python tools/dropout_cost.py [--steps 8] [--repeats 2]

docs/benchmarks/<machine>.md keeps what it printed on each machine.
"""
from __future__ import annotations

import argparse
import statistics
import time

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)

import torch  # noqa: E402

from ftlib.core import stream_dropout  # noqa: E402

P = 0.1


def milliseconds(work, repeats: int = 20) -> float:
    work()  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        work()
    return 1000 * (time.perf_counter() - started) / repeats


def parts() -> dict:
    x = torch.randn(8, 256, 512)
    stream_dropout.install("torch", log=None)
    return {"torch's F.dropout(x, 0.1)": milliseconds(lambda: torch.nn.functional.dropout(x, P, True)),
            "its mask alone, bernoulli_": milliseconds(lambda: torch.empty_like(x).bernoulli_(1 - P)),
            "a mask from rand_like(x) >= p": milliseconds(lambda: torch.rand_like(x) >= P),
            "the stream's mask": milliseconds(lambda: stream_dropout.keep_scale(x.shape, P, x.dtype)),
            "dropout with the stream's mask": milliseconds(lambda: stream_dropout.dropout(x, P)),
            "the multiply alone": milliseconds(lambda: x * (1 / (1 - P)))}


def step_seconds(masks: str, spec: dict | None, steps: int) -> float:
    """Median training step of the model, its dropout at 0.1 with ``masks`` (torch or stream), or off."""
    from ftlib.bench.steps import timed_classifier, train_step_seconds, without_dropout

    stream_dropout.install("stream" if masks == "stream" else "torch", log=None)
    model = timed_classifier((4, 512, 512, 8), 32005, spec)
    model = without_dropout(model) if masks == "off" else model
    lengths = [160] * 6 + [130] * 2
    return statistics.median(train_step_seconds(model, lengths, [list(range(8))] * steps, 32005))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8, help="training steps timed per setting")
    parser.add_argument("--repeats", type=int, default=2, help="times each setting is timed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread")
    for name, ms in parts().items():
        print(f"{name:32s} {ms:6.1f} ms")
    for name, spec in (("HF (full fine-tuning)", None), ("PEFT BitFit", {"kind": "bitfit"})):
        for _ in range(args.repeats):
            torch_masks, stream, off = (step_seconds(masks, spec, args.steps) for masks in ("torch", "stream", "off"))
            print(f"{name}: {torch_masks:.3f} s/step with torch's masks, {stream:.3f} with the stream's "
                  f"({100 * (1 - stream / torch_masks):.1f} % less), {off:.3f} without dropout: dropout is "
                  f"{100 * (1 - off / torch_masks):.1f} % of the step with torch's masks")


if __name__ == "__main__":
    main()
