"""Parameter accounting of fairseq's RoBERTa encoder: counted on a built model, and by formula."""
from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class EncoderShape:
    layers: int      # L
    dim: int         # D
    ffn: int         # F
    vocab: int       # V (dict.txt + 4 specials + <mask>)
    positions: int   # T (max_positions)

    @classmethod
    def from_arch(cls, arch: str, vocab: int, positions: int | None = None) -> "EncoderShape":
        args = arch_args(arch)
        return cls(args.encoder_layers, args.encoder_embed_dim, args.encoder_ffn_embed_dim,
                   vocab, positions or args.max_positions)


def arch_args(arch: str) -> argparse.Namespace:
    """The hyperparameters fairseq gives ``--arch arch`` (our plugin must be registered)."""
    import fairseq_plugin  # noqa: F401  registers roberta_small / roberta_demo
    from fairseq.models import ARCH_CONFIG_REGISTRY

    args = argparse.Namespace()
    ARCH_CONFIG_REGISTRY[arch](args)
    return args


def encoder_formula(s: EncoderShape) -> int:
    """Weights and biases of fairseq's RoBERTa sentence encoder (no LM or classification head).

    Per layer: 4 attention projections 4(D²+D), two layer norms 4D, FFN 2DF + F + D.
    Plus token embeddings VD, learned positions D(T+2) (fairseq offsets positions by
    padding_idx + 1 = 2) and the embedding layer norm 2D.
    """
    L, D, F, V, T = s.layers, s.dim, s.ffn, s.vocab, s.positions
    per_layer = 4 * D * D + 2 * D * F + 9 * D + F
    return L * per_layer + V * D + D * (T + 2) + 2 * D


def roberta_small_formula(D: int = 512, V: int = 32000, T: int = 256) -> int:
    """The course's closed form for roberta_small (L=4, F=D): 24D² + DV + D(T+2) + 42D."""
    return 24 * D * D + D * V + D * (T + 2) + 42 * D


def encoder_weights_only(s: EncoderShape) -> int:
    """Matrices only (no biases, no layer norms): VD + (T+2)D + L(2DF + 4D²)."""
    return s.vocab * s.dim + (s.positions + 2) * s.dim + s.layers * (2 * s.dim * s.ffn + 4 * s.dim ** 2)


def build_encoder(arch: str, vocab: int, positions: int | None = None):
    """fairseq's RobertaEncoder of ``arch`` (as fairseq-train builds it) over a vocabulary of
    ``vocab`` symbols, random weights. On the CPU, not the meta device: fairseq's
    init_bert_params copies through .cpu()."""
    import torch
    from fairseq.data import Dictionary
    from fairseq.models.roberta.model import RobertaEncoder

    args = arch_args(arch)
    if positions:
        args.max_positions = positions
    dictionary = Dictionary()  # 4 specials
    for i in range(vocab - len(dictionary)):
        dictionary.add_symbol(f"tok{i}")
    with torch.no_grad():
        return RobertaEncoder(args, dictionary)


def count_encoder(arch: str, vocab: int, positions: int | None = None) -> dict:
    """Build fairseq's RobertaEncoder (as fairseq-train would) and count its sentence encoder."""
    encoder = build_encoder(arch, vocab, positions).sentence_encoder
    params = list(encoder.parameters())
    return {
        "total": sum(p.numel() for p in params),
        "weights_only": sum(p.numel() for p in params if p.dim() > 1),
        "embed_tokens": encoder.embed_tokens.weight.numel(),
        "embed_positions": encoder.embed_positions.weight.numel(),
    }
