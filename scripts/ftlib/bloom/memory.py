"""Whether the BLOOM job recomputes its activations in the backward pass (gradient checkpointing).
Recomputation costs one more forward per micro-step (about a third more FLOPs) and saves memory;
`auto` turns it on only where the activations a micro-step keeps would not fit the job's memory.
"""
from __future__ import annotations

# What else the job holds while it trains: the optimizer state of the LoRA weights, the
# allocator's slack, the generation cache of the held-out answers.
MARGIN_MB = 1024


def activation_mb(config, tokens: int, batch: int, bytes_per_value: int = 4) -> float:
    """The activations one training micro-step keeps for its backward pass without recomputation:
    per transformer layer s·b·h·(34 + 5·a·s/h) bytes at 2-byte activations (Korthikanti et al.
    2022, "Reducing Activation Recomputation in Large Transformer Models", table 2), scaled to
    ``bytes_per_value``; plus the LM head's logits and their gradient, 2·s·b·V values."""
    s, h, a = tokens, config.hidden_size, config.n_head
    per_layer = s * batch * h * (34 + 5 * a * s / h) * bytes_per_value / 2
    logits = 2 * s * batch * config.vocab_size * bytes_per_value
    return (config.n_layer * per_layer + logits) / 2**20


def use_checkpointing(setting, config, tokens: int, batch: int, mem_mb: float, used_mb: float) -> tuple[bool, str]:
    """(recompute?, why) for config bloom.gradient_checkpointing: true, false, or auto (on only
    where the activations of ``tokens`` tokens at ``batch`` exceed ``mem_mb`` less what the job
    holds already, ``used_mb``, and a margin)."""
    if setting != "auto":
        return bool(setting), "set in config"
    need, free = activation_mb(config, tokens, batch), mem_mb - used_mb - MARGIN_MB
    if need <= free:
        return False, (f"auto: the activations (~{need:.0f} MB at {tokens} tokens) fit the job's "
                       f"{mem_mb:.0f} MB ({used_mb:.0f} MB in use)")
    return True, (f"auto: the activations (~{need:.0f} MB at {tokens} tokens) exceed the "
                  f"{free:.0f} MB left of the job's {mem_mb:.0f} MB: recomputed")
