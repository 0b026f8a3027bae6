"""Snakemake script (a local rule: compute nodes are often offline): fetch the real BLOOM base
model (config bloom.real.base_model, a hub name) into models/real/bloom_base/ before the GPU job,
which then loads it from there. Offline: one line saying what to put there by hand."""
import shutil
from pathlib import Path

from ftlib.core.errors import InputError, run_step

# What from_pretrained needs: the configuration, the tokenizer and the safetensors weights (the
# hub repository also holds the same weights as pytorch_model.bin, flax and onnx files).
NEEDED = ["config.json", "generation_config.json", "tokenizer*", "special_tokens_map.json", "*.safetensors"]


def main():
    from huggingface_hub import snapshot_download

    repo, out = snakemake.params.repo, Path(snakemake.output[0])
    staging = out.with_name(out.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    print(f"fetching {repo} ({', '.join(NEEDED)}) into {out}", flush=True)
    try:
        snapshot_download(repo_id=repo, local_dir=staging, allow_patterns=NEEDED)
    except Exception as err:  # offline, unknown repository, gated model: all end here
        shutil.rmtree(staging, ignore_errors=True)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise InputError(out, f"cannot fetch {repo} from the hub ({reason}); with no network, put its "
                              "config.json, tokenizer files and model.safetensors there by hand, or set "
                              "bloom.real.base_model to a folder holding them") from None
    shutil.rmtree(staging / ".cache", ignore_errors=True)  # the hub client's download bookkeeping
    staging.replace(out)
    print(f"{repo}: {', '.join(sorted(p.name for p in out.iterdir()))}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
