"""Snakemake script: encode the demo's pretraining text and binarize it for masked_lm.

fairseq-preprocess builds the vocabulary (dict.txt) from this text; it becomes the demo
checkpoint's dict.txt, as the published checkpoint ships its own.
"""
import shutil
import tempfile
from pathlib import Path

from ftlib.data.checks import read_lines
from ftlib.core.errors import run_step
from ftlib.fairseq.commands import preprocess_command
from ftlib.core.proc import find_executable, run_logged
from ftlib.data.spm_encode import encode_lines, load_sentencepiece
from ftlib.core.textio import write_lines


def main():
    processor = load_sentencepiece(snakemake.input.spm)
    with tempfile.TemporaryDirectory() as tmp:
        encoded = Path(tmp) / "pretrain.spm.review"
        write_lines(encoded, encode_lines(processor, read_lines(snakemake.input.text)))
        destdir = Path(tmp) / "bin"
        run_logged(preprocess_command({"train": encoded}, destdir, snakemake.threads,
                                      executable=find_executable("fairseq-preprocess")),
                   snakemake.log[0], threads=snakemake.threads, echo=False)
        Path(snakemake.output.dictionary).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(destdir / "dict.txt", snakemake.output.dictionary)
        shutil.move(str(destdir), snakemake.output.data_bin)


run_step(main, snakemake.output, snakemake.log[0])
