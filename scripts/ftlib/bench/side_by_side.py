"""How much slower a 1-thread job runs beside others than alone, per branch: the same training
steps timed in one process alone, then in ``copies`` processes at once, each a fresh Python with
one thread (as Snakemake's jobs are), timed together once all have warmed up (each waits for the
others). Jobs side by side share the memory bandwidth and the caches, so a branch whose step moves
more memory per FLOP slows more.

``python -m ftlib.bench.side_by_side request.json`` is one timing process: the request names the
workload ("classifier": the HF model, with a PEFT method or none; "bloom": the LoRA micro-step)
and its arguments, and the process prints its step times as JSON.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

READY_TIMEOUT = 300  # seconds a process waits for the others to warm up


def wait_for_all(folder: Path, me: int, copies: int) -> None:
    """Mark this process ready in ``folder``, then wait until all ``copies`` are."""
    (folder / f"ready{me}").touch()
    deadline = time.monotonic() + READY_TIMEOUT
    while len(list(folder.glob("ready*"))) < copies:
        if time.monotonic() > deadline:
            raise RuntimeError(f"side by side: {copies} processes not all ready after {READY_TIMEOUT} s")
        time.sleep(0.01)


def classifier_steps(args: dict, ready) -> list[float]:
    from ftlib.bench.steps import timed_classifier, train_step_seconds

    model = timed_classifier(args["shape"], args["vocab"], args.get("spec"))
    return train_step_seconds(model, args["lengths"], args["batches"], args["vocab"], args.get("cap"), ready=ready)


def bloom_steps(args: dict, ready) -> list[float]:
    from ftlib.bench.steps import bloom_base, bloom_ids, bloom_tuned_model, lora_micro_steps

    model, config, quantize, _ = bloom_base(args["shape"], args["quantization"], args["folder"], save=False)
    model, _, _ = bloom_tuned_model(model, config, quantize, args["lora"], args["checkpointing"])
    return lora_micro_steps(model, bloom_ids(args["shape"], args["tokens"]), args["steps"], ready)


WORKLOADS = {"classifier": classifier_steps, "bloom": bloom_steps}


def timed_processes(workload: str, args: dict, copies: int, folder: Path) -> list[list[float]]:
    """Each of ``copies`` processes' step times, run at once; the first to fail stops the others
    and its own error is the one raised."""
    ready_dir = folder / f"ready_{workload}_{copies}"
    ready_dir.mkdir(parents=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    processes, outputs = [], []
    for me in range(copies):
        request = folder / f"request_{workload}_{copies}_{me}.json"
        request.write_text(json.dumps({"workload": workload, "args": args, "ready_dir": str(ready_dir), "me": me,
                                       "copies": copies}))
        out, err = (folder / f"{request.stem}.{name}" for name in ("out", "err"))  # files: no pipe to fill
        outputs.append((out, err))
        with open(out, "w") as stdout, open(err, "w") as stderr:
            processes.append(subprocess.Popen([sys.executable, "-m", "ftlib.bench.side_by_side", str(request)],
                                              stdout=stdout, stderr=stderr, env=env))
    while any(process.poll() is None for process in processes):
        failed = [i for i, process in enumerate(processes) if process.returncode not in (None, 0)]
        if failed:
            for process in processes:
                process.kill()
            break
        time.sleep(0.1)
    for process, (_, err) in zip(processes, outputs):
        if process.wait() != 0 and process.returncode != -9:
            raise RuntimeError(f"side by side ({workload}): a timing process failed: "
                               f"{err.read_text().strip()[-1500:]}")
    return [json.loads(out.read_text().strip().splitlines()[-1]) for out, _ in outputs]


def slowdown(workload: str, args: dict, copies: int, folder) -> dict:
    """The workload's mean step alone and beside ``copies`` - 1 others, and their ratio."""
    folder = Path(folder)
    alone = timed_processes(workload, args, 1, folder)[0]
    beside = timed_processes(workload, args, copies, folder)
    s_alone, s_beside = statistics.mean(alone), statistics.mean(statistics.mean(run) for run in beside)
    return {"alone_seconds": s_alone, "beside_seconds": s_beside, "slowdown": s_beside / s_alone,
            "steps": len(alone), "copies": copies}


def main(path: str) -> None:
    from ftlib.core import transformers_guard  # noqa: F401  (before transformers: hides the unloadable torchaudio)
    import torch

    from ftlib.core.stream_dropout import install

    request = json.loads(Path(path).read_text())
    torch.set_num_threads(1)
    install(request["args"].get("dropout_masks", "torch"), log=None)
    times = WORKLOADS[request["workload"]](
        request["args"], lambda: wait_for_all(Path(request["ready_dir"]), request["me"], request["copies"]))
    print(json.dumps(times), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
