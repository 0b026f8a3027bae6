"""Snakemake script: train the demo's SentencePiece BPE model on its pretraining text."""
import shutil
import tempfile
from pathlib import Path

import sentencepiece as spm

from ftlib.core.errors import run_step


def main():
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "spm")
        spm.SentencePieceTrainer.train(
            input=snakemake.input[0],
            model_prefix=prefix,
            vocab_size=snakemake.params.vocab_size,
            model_type="bpe",  # the published checkpoint's sentencepiece.bpe.model is BPE too
            character_coverage=1.0,
            hard_vocab_limit=False,  # the demo's lexicon may hold fewer pieces than asked for
            num_threads=snakemake.threads,
            minloglevel=2,
        )
        shutil.move(prefix + ".model", snakemake.output[0])
    pieces = spm.SentencePieceProcessor(model_file=snakemake.output[0]).get_piece_size()
    print(f"SentencePiece BPE trained on {snakemake.input[0]}: {pieces} pieces (asked for "
          f"{snakemake.params.vocab_size}) -> {snakemake.output[0]}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
