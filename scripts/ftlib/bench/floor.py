"""The FLOP floor of every training job of the experiment: its matrix work, which at the
machine's measured GEMM rate is the least time the job can take.

Counts follow ftlib.fairseq.flops (a multiply-add is 2 FLOP; embeddings, layer norms, softmax,
dropout and other element-wise work are left out). A training step is the forward pass plus
the backward pass, whose matrix work depends on what is trained:
- a weight matrix that is trained costs 3x its forward (forward, the input's gradient, the
  weight's gradient); a frozen one 2x (its input's gradient is still needed below it, as every
  method here trains something in the first layer: biases, LoRA, adapters, the prompt);
- attention's products (QK^T, AV) multiply two activations: 3x whatever is trained;
- full fine-tuning trains every matrix: 3x the forward, as train_flops.
Evaluation passes are forward only: valid after every epoch, test once (test_eval
best_checkpoint) or after every epoch.
"""
from __future__ import annotations

import math

from ftlib.fairseq.flops import forward_flops, forward_parts


def method_extra_forward(spec: dict, tokens: int, layers: int, dim: int) -> int:
    """Forward FLOPs a PEFT method adds to the encoder's own (its new trained matrices): LoRA's
    down and up projections on each target (D x D) matrix, the two bottleneck adapters of each
    layer; BitFit and (IA)^3 add element-wise work only, the soft prompt adds tokens."""
    kind = spec["kind"]
    if kind == "lora":
        return tokens * layers * len(spec["target_modules"]) * 2 * spec["r"] * (dim + dim)
    if kind == "adapter":
        return tokens * layers * 2 * 2 * (2 * dim * spec["size"])
    return 0


def classifier_train_flops(spec: dict, lengths, layers: int, dim: int, ffn: int) -> int:
    """One epoch's training FLOPs of a classifier fine-tuned with this method (kind full: every
    weight trained), over sequences of these lengths (a soft prompt's tokens included)."""
    parts = forward_parts(lengths, layers, dim, ffn)
    weights = 3 if spec["kind"] == "full" else 2
    extra = method_extra_forward(spec, sum(lengths), layers, dim)
    return weights * parts["weights"] + 3 * (parts["attention"] + parts["head"] + extra)


def classifier_job_flops(spec: dict, lengths: dict, epochs: int, test_passes: int, layers: int, dim: int,
                         ffn: int, max_positions: int) -> int:
    """A classification job: epochs x (training + valid) + test_passes x test (once, or every epoch). A
    soft prompt's tokens take position slots: the text keeps max_positions minus them."""
    if spec["kind"] == "prompt":
        n = spec["num_virtual_tokens"]
        lengths = {split: [min(t, max_positions - n) + n for t in ts] for split, ts in lengths.items()}
    shape = (layers, dim, ffn)
    per_epoch = classifier_train_flops(spec, lengths["train"], *shape) + forward_flops(lengths["valid"], *shape)
    return epochs * per_epoch + test_passes * forward_flops(lengths["test"], *shape)


def causal_lm_token_flops(shape: dict, context: int) -> dict:
    """Forward FLOPs of one token of a BLOOM-shaped causal LM (fused QKV 3D^2, output D^2, FFN
    4D each way) with ``context`` tokens before it, by kind; the LM head (D x V) is frozen."""
    layers, dim = shape["num_layers"], shape["hidden_size"]
    return {"weights": layers * 2 * (4 * dim * dim + 2 * dim * 4 * dim),
            "attention": layers * 4 * context * dim,
            "lm_head": 2 * dim * shape["vocab_size"]}


def bloom_job_flops(shape: dict, lora: dict, train: dict, heldout: int, max_new_tokens: int, tokens: int,
                    recompute: bool = False) -> int:
    """The BLOOM job as bloom_job_seconds counts it: max_steps x grad_accum LoRA micro-steps of
    ``tokens`` tokens (with ``recompute``, gradient checkpointing: each layer's forward once more
    in the backward pass), the held-out loss before, after and every eval_every steps, and held-out
    generations of max_new_tokens before and after tuning (each new token one forward over its
    context, the prompt of ``tokens`` tokens)."""
    layers, dim = shape["num_layers"], shape["hidden_size"]
    per_token = causal_lm_token_flops(shape, tokens // 2)  # mean context of a causal sequence
    lora_forward = layers * len(lora["target_modules"]) * 2 * lora["r"] * (dim + 3 * dim)  # query_key_value: D -> 3D
    forward = tokens * sum(per_token.values())
    train_step = tokens * (2 * (per_token["weights"] + per_token["lm_head"]) + 3 * (per_token["attention"] + lora_forward))
    if recompute:  # the layers' forward again (not the LM head's: its output is kept)
        train_step += tokens * (per_token["weights"] + per_token["attention"] + lora_forward)
    losses = (2 + math.ceil(train["max_steps"] / train["eval_every"])) * heldout * forward
    generated = causal_lm_token_flops(shape, tokens + max_new_tokens // 2)
    generations = 2 * heldout * max_new_tokens * sum(generated.values())
    return train["max_steps"] * train["grad_accum"] * train_step + losses + generations
