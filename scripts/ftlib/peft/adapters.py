"""Bottleneck adapters (Houlsby et al. 2019): a small residual MLP after a sublayer's output.

Written here rather than taken from AdapterHub's `adapters` library because `adapters` 1.3.0
pins transformers ~=4.57 and cannot share this environment with the pinned transformers 5.x.
The module is deliberately small: down-projection D -> m, ReLU, up-projection m -> D, added to
its input; the up-projection starts at zero, so an adapted model starts as the original one.
Parameters per adapter: 2·D·m + D + m.
"""
from __future__ import annotations

import re

import torch
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, dim: int, size: int):
        super().__init__()
        self.down = nn.Linear(dim, size)
        self.up = nn.Linear(size, dim)
        nn.init.normal_(self.down.weight, std=1e-2)
        nn.init.zeros_(self.down.bias)
        nn.init.zeros_(self.up.weight)  # identity at the start: the pretrained model is unchanged
        nn.init.zeros_(self.up.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + self.up(torch.relu(self.down(hidden)))


class AdaptedOutput(nn.Module):
    """Runs the wrapped sublayer, then the adapter on its output (first item of a tuple)."""

    def __init__(self, sublayer: nn.Module, dim: int, size: int):
        super().__init__()
        self.sublayer = sublayer
        self.adapter = Bottleneck(dim, size)

    def forward(self, *args, **kwargs):
        out = self.sublayer(*args, **kwargs)
        if isinstance(out, tuple):
            return (self.adapter(out[0]),) + out[1:]
        return self.adapter(out)


def adapter_params(dim: int, size: int) -> int:
    """Closed form of one adapter: down (D·m + m) + up (m·D + D)."""
    return 2 * dim * size + dim + size


def add_adapters(model: nn.Module, pattern: str, dim: int, size: int) -> list[str]:
    """Wrap every submodule whose full name matches ``pattern`` (re.fullmatch); returns the names.

    For RoBERTa, ``encoder\\.layer\\.\\d+\\.(attention\\.output|output)\\.dense`` puts one
    adapter after the attention block's and one after the feed-forward block's output
    projection, before dropout, residual and layer norm, where Houlsby et al. put them.
    """
    names = [name for name, _ in model.named_modules() if re.fullmatch(pattern, name)]
    if not names:
        raise ValueError(f"no module matches the adapter pattern {pattern!r}")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        sublayer = getattr(parent, child)
        # built where the sublayer lives (meta device for counting, CPU for training)
        device = next(sublayer.parameters()).device
        with torch.device(device):
            setattr(parent, child, AdaptedOutput(sublayer, dim, size))
    return names
