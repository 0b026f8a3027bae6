"""SentencePiece encoding as fairseq's RoBERTa recipe expects it: pieces joined by spaces."""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError


def load_sentencepiece(model_path):
    import sentencepiece as spm

    if not Path(model_path).is_file():
        raise InputError(model_path, "SentencePiece model is missing")
    try:
        return spm.SentencePieceProcessor(model_file=str(model_path))
    except Exception as err:
        raise InputError(model_path, f"not a SentencePiece model ({err})") from None


def encode_lines(processor, lines) -> list[str]:
    return [" ".join(processor.encode(line, out_type=str)) for line in lines]
