"""Import-time guard for transformers in this environment: hide the unloadable torchaudio.

fairseq-fixed depends on torchaudio, and pip installs PyPI's torchaudio wheel, a CUDA build
that cannot load beside the CPU torch (OSError: libc10_cuda.so). transformers imports
torchaudio whenever it is installed (audio_utils), so importing any model class fails. The
project's models are text-only: marking the module as absent (``sys.modules[name] = None``
makes importlib report it missing) lets transformers skip it; a torchaudio that loads is
left alone. Import this module before transformers (ftlib's HF, BLOOM and PEFT modules do).
"""
import sys

if "torchaudio" not in sys.modules:
    try:
        import torchaudio  # noqa: F401  (a working torchaudio stays)
    except (OSError, ImportError, RuntimeError):
        sys.modules["torchaudio"] = None
