"""Snakemake script: the fairseq checkpoint as a transformers folder, proved by a parity check.

With ``published`` set (the real config may name the published HF conversion, unpacked by
hand), that folder is taken instead of converting, and the same parity check compares it
with the fairseq checkpoint.
"""
import shutil
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.hf.convert import convert, copy_published
from ftlib.hf.parity import parity_check, read_reviews
from ftlib.core.textio import write_json


def main():
    inp, params, out = snakemake.input, snakemake.params, snakemake.output
    staging = Path(out.folder).with_name(Path(out.folder).name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    if params.published:
        summary = copy_published(params.published, staging)
    else:
        summary = convert(inp.checkpoint, inp.dictionary, inp.spm, staging)
    print(f"transformers folder: {summary}", flush=True)
    reviews = read_reviews(inp.reviews)
    batch = reviews[: params.batch_size]
    parity = parity_check(staging, inp.checkpoint, inp.dictionary, inp.spm, reviews, batch,
                          params.max_positions, params.atol)
    print(f"parity check passed: {parity}", flush=True)
    shutil.rmtree(out.folder, ignore_errors=True)
    staging.rename(out.folder)
    parity.update(summary, hf_dir=out.folder, source=params.published or "converted")
    write_json(out.parity, parity)


def cleanup_staging():
    return [snakemake.output.folder, snakemake.output.parity, snakemake.output.folder + ".tmp"]


run_step(main, cleanup_staging(), snakemake.log[0])
