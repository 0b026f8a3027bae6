"""FLOP counts of RoBERTa sentence classification, from the actual token lengths.

A multiply-add is 2 FLOP. Per sequence of T tokens through L layers of width D, FFN F:
  projections and FFN   2 T (4D² + 2DF)  per layer  (q, k, v, out; fc1, fc2)
  attention             4 T² D           per layer  (QKᵀ and AV)
  classification head   2 (D² + 2D)      on the <s> token (dense + out_proj)
Embedding lookups and layer norms are not matrix work and are left out. Training costs
forward + backward = 3x the forward.
"""
from __future__ import annotations


def forward_parts(lengths, layers: int, dim: int, ffn: int, num_classes: int = 2) -> dict:
    """Forward FLOPs over sequences of these lengths, by kind of product: weight matrices
    (projections and FFN), attention (two activations), the classification head."""
    return {"weights": sum(lengths) * 2 * (4 * dim * dim + 2 * dim * ffn) * layers,
            "attention": sum(4 * t * t * dim * layers for t in lengths),
            "head": len(lengths) * 2 * (dim * dim + dim * num_classes)}


def forward_flops(lengths, layers: int, dim: int, ffn: int, num_classes: int = 2) -> int:
    return sum(forward_parts(lengths, layers, dim, ffn, num_classes).values())


def train_flops(lengths, layers: int, dim: int, ffn: int, num_classes: int = 2) -> int:
    return 3 * forward_flops(lengths, layers, dim, ffn, num_classes)


def seed_flops(train_lengths, valid_lengths, test_lengths, epochs: int, test_passes: int, layers: int, dim: int,
               ffn: int) -> int:
    """One seed: epochs x (train + valid) + test_passes x test (Recipe.test_passes)."""
    shape = (layers, dim, ffn)
    per_epoch = train_flops(train_lengths, *shape) + forward_flops(valid_lengths, *shape)
    return epochs * per_epoch + test_passes * forward_flops(test_lengths, *shape)
