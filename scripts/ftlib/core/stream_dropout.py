"""Dropout masks from a fast stream on the CPU (config `dropout_masks`, ftlib.core.device decides).

torch 2.13 draws a CPU dropout mask with ``bernoulli_``: from MKL's vectorised stream on an Intel
CPU, and elsewhere (AMD) from its mt19937 one element after another, two 32-bit words each. There
dropout takes 15-20 % of a training step of these models (tools/dropout_cost.py). The stream mask
draws one 62-bit seed from torch's generator (so `torch.manual_seed` still decides every mask, as
it seeds MKL's stream on Intel) and the mask's words from numpy's PCG64DXSM, one 32-bit word per
element kept where it is >= p * 2^32: the same Bernoulli(1 - p) mask law, four times faster.

``install`` replaces ``torch.nn.functional.dropout`` (what ``nn.Dropout`` and fairseq's
FairseqDropout call) and ``scaled_dot_product_attention`` (whose CPU path with dropout is the
composite computed here, the attention probabilities' dropout included) for CPU tensors; a CUDA
tensor, or a call with another option, goes to torch's own function.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.overrides import has_torch_function_unary

_TORCH = {"dropout": F.dropout, "scaled_dot_product_attention": F.scaled_dot_product_attention}


def keep_scale(shape, p: float, dtype: torch.dtype) -> torch.Tensor:
    """1 / (1 - p) where kept, 0 where dropped: one PCG64DXSM word per element, seeded by torch."""
    count = math.prod(shape)
    seed = int(torch.randint(0, 2**62, (1,)).item())
    words = np.random.PCG64DXSM(seed).random_raw((count + 1) // 2).view(np.uint32)[:count]
    scale = np.multiply(words >= np.uint32(min(round(p * 2**32), 2**32 - 1)), 1 / (1 - p), dtype=np.float32)
    return torch.from_numpy(scale).view(shape).to(dtype)


def dropout(input: torch.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> torch.Tensor:
    """``torch.nn.functional.dropout`` with the stream's mask on a CPU tensor."""
    if (not training or isinstance(p, torch.Tensor) or not 0.0 < p < 1.0 or input.device.type != "cpu"
            or has_torch_function_unary(input)):  # (p a tensor, or a tensor subclass: torch's own)
        return _TORCH["dropout"](input, p, training, inplace)
    scale = keep_scale(input.shape, p, input.dtype)
    return input.mul_(scale) if inplace else input * scale


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, *, scale=None,
                                 enable_gqa=False):
    """torch's math path (its CPU kernel where dropout_p > 0: fp32, a safe softmax), the
    probabilities' dropout the stream's."""
    if dropout_p == 0.0 or query.device.type != "cpu":
        return _TORCH["scaled_dot_product_attention"](query, key, value, attn_mask, dropout_p, is_causal, scale=scale,
                                                      enable_gqa=enable_gqa)
    dtype = query.dtype
    query, key, value = (t.float() for t in (query, key, value))  # half types computed in fp32, as torch does
    if enable_gqa:  # each group of query heads shares one key/value head
        key, value = (t.repeat_interleave(query.size(-3) // t.size(-3), dim=-3) for t in (key, value))
    if is_causal:
        attn_mask = torch.ones(query.size(-2), key.size(-2), dtype=torch.bool).tril()
    scores = query @ key.transpose(-2, -1) * (scale if scale is not None else 1 / math.sqrt(query.size(-1)))
    if attn_mask is not None and attn_mask.dtype == torch.bool:  # as an additive mask: its shape, not the scores'
        attn_mask = torch.zeros(attn_mask.shape).masked_fill_(attn_mask.logical_not(), -math.inf)
    if attn_mask is not None:
        scores += attn_mask.float()  # in place: a fresh tensor, and the add's backward is free
    probabilities = torch._safe_softmax(scores, -1)  # a row with every key masked: zeros, not NaN
    return (dropout(probabilities, dropout_p) @ value).to(dtype)


def install(source: str, log=print) -> None:
    """Draw this process's CPU dropout masks from ``source`` (torch or stream: Placement.dropout_masks)."""
    if source not in ("torch", "stream"):
        raise ValueError(f"dropout masks: {source!r} is neither torch nor stream")
    stream = source == "stream"
    F.dropout = dropout if stream else _TORCH["dropout"]
    F.scaled_dot_product_attention = scaled_dot_product_attention if stream else _TORCH["scaled_dot_product_attention"]
    if log is not None:
        log(f"dropout masks: {source}" + (" (a PCG64DXSM stream seeded by torch's generator)" if stream else ""))
