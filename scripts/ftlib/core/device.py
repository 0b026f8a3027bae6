"""Where a job trains: one device switch (config `device`, `precision`, `dropout_masks`) for every
branch.

Resolved inside the job, on the node that runs it (a login node may have no GPU while the
job's node has one, or another CPU): auto = cuda when torch sees a GPU, else cpu; dropout masks
auto = the stream's where torch draws them one element at a time (ftlib.core.stream_dropout).
"""
from __future__ import annotations

from dataclasses import dataclass

from ftlib.core.cpu import cpu_name, cpu_vendor
from ftlib.core.errors import InputError

DEVICES = ("auto", "cpu", "cuda")
DROPOUT_MASKS = ("auto", "torch", "stream")
MASKS_ENV = "FTLIB_DROPOUT_MASKS"  # how a job tells fairseq-train's plugin (scripts/fairseq_plugin)
PRECISIONS = ("fp32", "fp16", "bf16")
# Measured on this project's CPU machines (reports/benchmark.md's GEMM rate at the model's shapes):
# bf16 matrix products run at 150 GFLOPS against fp32's 235 (no AMX), and fp16 has no fast CPU path.
CPU_PRECISION_REFUSAL = ("bf16 matrix products run slower than fp32 on these CPUs (150 vs 235 "
                         "GFLOPS at the model's shapes, no AMX) and fp16 has no fast CPU path")


class DeviceError(InputError):
    """A device or precision this job cannot use: one line naming the config key and why."""

    def __init__(self, problem: str, config: str = "config/config.yaml"):
        super().__init__(config, problem)


@dataclass(frozen=True)
class Placement:
    device: str      # cpu | cuda
    precision: str   # fp32 | fp16 | bf16
    name: str        # the GPU's name, or the CPU model
    dropout_masks: str = "torch"  # torch | stream (ftlib.core.stream_dropout)

    def fairseq_flags(self) -> list[str]:
        """fairseq-train / fairseq-validate flags: --cpu on the CPU, --fp16 on the GPU.

        fairseq 0.12's --bf16 means a TPU: on a GPU its trainer asks for an XLA device and stops
        (measured on an H200), so bf16 is refused for the fairseq jobs, in one line."""
        if self.device == "cpu":
            return ["--cpu"]
        one = ["--distributed-world-size", "1"]  # one job, one GPU (resolve() refuses several)
        if self.precision == "bf16":
            raise DeviceError("precision: bf16 is not available to the fairseq jobs (fairseq 0.12's --bf16 "
                              "runs on TPUs only); use fp16 or fp32 for them")
        return one + {"fp32": [], "fp16": ["--fp16"]}[self.precision]

    def trainer_args(self) -> dict:
        """transformers.TrainingArguments keywords."""
        return {"use_cpu": self.device == "cpu", "fp16": self.precision == "fp16",
                "bf16": self.precision == "bf16"}

    def record(self) -> dict:
        """What metrics.json and the runs table record about where the run trained."""
        return {"device": self.device, "device_name": self.name, "precision": self.precision,
                "dropout_masks": self.dropout_masks}

    def env(self) -> dict:
        """What a fairseq command's environment needs for these masks (scripts/fairseq_plugin)."""
        return {MASKS_ENV: self.dropout_masks}


def check_gpu(torch, precision: str) -> None:
    """One job trains on one GPU; bf16 only where the GPU has it."""
    count = torch.cuda.device_count()
    if count > 1:  # fairseq and Trainer would otherwise spread one run over all of them
        raise DeviceError(f"device: {count} GPUs visible to one job; a job trains on one GPU: set "
                          "CUDA_VISIBLE_DEVICES (SLURM's gpu: 1 does)")
    if precision == "bf16" and not torch.cuda.is_bf16_supported():
        raise DeviceError(f"precision: bf16 is not supported by {torch.cuda.get_device_name(0)}; use fp16")


CPU = Placement("cpu", "fp32", "cpu")  # what a command builder assumes when given no placement


def cpu_masks(dropout_masks: str, vendor: str) -> str:
    """torch or stream: auto keeps torch's where MKL draws them vectorised (an Intel CPU)."""
    if dropout_masks != "auto":
        return dropout_masks
    return "torch" if vendor == "GenuineIntel" else "stream"


def resolve(device: str = "auto", precision: str = "fp32", dropout_masks: str = "auto",
            cuda_available: bool | None = None, vendor: str | None = None) -> Placement:
    """The placement of this job; ``cuda_available`` None asks torch and ``vendor`` None reads the
    CPU's (tests pass them)."""
    if dropout_masks not in DROPOUT_MASKS:
        raise DeviceError(f"dropout_masks: {dropout_masks!r} is not one of {', '.join(DROPOUT_MASKS)}")
    if device not in DEVICES:
        raise DeviceError(f"device: {device!r} is not one of {', '.join(DEVICES)}")
    if precision not in PRECISIONS:
        raise DeviceError(f"precision: {precision!r} is not one of {', '.join(PRECISIONS)}")
    if cuda_available is None:
        import torch

        cuda_available = torch.cuda.is_available()
    if device == "cuda" and not cuda_available:
        raise DeviceError("device: cuda requested, but torch sees no GPU on this node "
                          "(torch.cuda.is_available() is False); use device: auto or cpu")
    chosen = "cuda" if device == "cuda" or (device == "auto" and cuda_available) else "cpu"
    if chosen == "cpu" and precision != "fp32":
        raise DeviceError(f"precision: {precision} refused on the CPU (fp32 only: {CPU_PRECISION_REFUSAL}); "
                          "set precision: fp32, or run on a GPU")
    if chosen == "cuda":
        import torch

        name = "cuda"
        if torch.cuda.is_available():  # (not when a test only says a GPU is there)
            check_gpu(torch, precision)
            name = torch.cuda.get_device_name(0)
        return Placement(chosen, precision, name)  # a GPU draws its masks itself, in parallel
    return Placement(chosen, precision, cpu_name(), cpu_masks(dropout_masks, cpu_vendor() if vendor is None else vendor))
