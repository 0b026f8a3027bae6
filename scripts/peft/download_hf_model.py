"""Snakemake script: download a model of the model sheet from the HuggingFace hub into
models/hub/<name>/ (config, weights, tokenizer). Offline, it stops in one line naming the folder
to fill by hand; a folder filled by hand is never downloaded over (Snakemake sees it in place)."""
import shutil
from pathlib import Path

from ftlib.core.errors import InputError, run_step

# what a sequence classifier needs; the hub's other formats (TF, Flax, ONNX) are left there
PATTERNS = ["*.json", "*.safetensors", "*.model", "*.txt", "*.bin"]


def main():
    from huggingface_hub import snapshot_download

    repo_id, revision = snakemake.params.repo_id, snakemake.params.revision
    folder = Path(snakemake.output[0])
    partial = folder.with_name(folder.name + ".partial")  # renamed once complete: no half folder
    shutil.rmtree(partial, ignore_errors=True)
    print(f"downloading {repo_id} ({revision or 'main'}) from the HuggingFace hub into {folder}", flush=True)
    try:
        snapshot_download(repo_id, revision=revision, local_dir=partial, allow_patterns=PATTERNS)
    except Exception as error:  # offline, a wrong name, a gated model: the hub's many errors
        shutil.rmtree(partial, ignore_errors=True)
        raise InputError(folder, f"could not download {repo_id} from the HuggingFace hub "
                                 f"({type(error).__name__}); without a network, put the model's files "
                                 f"(config.json, weights, tokenizer) in this folder by hand") from None
    if not (partial / "config.json").is_file():
        raise InputError(folder, f"the download of {repo_id} has no config.json: not a transformers model")
    partial.rename(folder)
    print(f"{repo_id}: {sum(1 for _ in folder.rglob('*'))} files in {folder}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
