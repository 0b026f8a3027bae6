"""Training and evaluation steps of the transformers models, timed on real-size shapes with
random weights and random token ids (a step's time depends on shapes, not on values): the HF
branch's RoBERTa, each PEFT method on it, and bloom-560m with LoRA as the BLOOM branch trains it."""
from __future__ import annotations

import statistics
import time

import torch

from ftlib.peft import apply_method


def gemm_gflops(tokens: int, dim: int, ffn: int, threads: int, repeats: int = 20, trials: int = 5) -> float:
    """Best achieved fp32 GEMM rate over ``trials`` on the layer's shapes (projections and FFN)
    with ``threads``: the floor is what the machine can do, so the best trial, not the mean."""
    torch.set_num_threads(threads)
    x = torch.randn(tokens, dim)
    weights = [torch.randn(dim, dim), torch.randn(dim, ffn), torch.randn(ffn, dim)]
    inputs = [x, x, torch.randn(tokens, ffn)]
    for a, w in zip(inputs, weights):
        a @ w  # warm-up
    best = float("inf")
    for _ in range(trials):
        started = time.perf_counter()
        for _ in range(repeats):
            for a, w in zip(inputs, weights):
                a @ w
        best = min(best, time.perf_counter() - started)
    flops = repeats * sum(2 * a.shape[0] * a.shape[1] * w.shape[1] for a, w in zip(inputs, weights))
    return flops / best / 1e9


def roberta_classifier(layers: int, dim: int, ffn: int, heads: int, vocab: int, positions: int = 258):
    """transformers' RobertaForSequenceClassification of the fairseq checkpoint's shape (positions:
    256 + RoBERTa's padding offset of 2), random weights."""
    import ftlib.core.transformers_guard  # noqa: F401  (hides the unloadable torchaudio from transformers)
    from transformers import RobertaConfig, RobertaForSequenceClassification

    config = RobertaConfig(vocab_size=vocab, hidden_size=dim, num_hidden_layers=layers, num_attention_heads=heads,
                           intermediate_size=ffn, max_position_embeddings=positions, type_vocab_size=1,
                           num_labels=2)
    return RobertaForSequenceClassification(config)


def timed_classifier(shape, vocab: int, spec: dict | None = None):
    """The timed classifier: roberta_classifier of ``shape`` (layers, dim, ffn, heads) from seed 0,
    with ``spec``'s PEFT method (None: full fine-tuning, the HF branch's)."""
    torch.manual_seed(0)
    model = roberta_classifier(*shape, vocab)
    return apply_method(model, dict(spec)) if spec else model


def without_dropout(model):
    """The model with every dropout off (p = 0; transformers' attention reads its module's p): a
    bound on what dropout costs, as the fairseq benchmark's tuned_no_dropout run is."""
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    return model


def length_grouped_batches(lengths: list[int], batch_size: int, seed: int = 0) -> list[list[int]]:
    """The HF branch's training batches of a first epoch: the fairseq branch's length groups
    (ftlib.data.length_groups), which the Trainer's sampler draws too."""
    from ftlib.data.length_groups import epoch_batches, length_group_size

    return epoch_batches(lengths, batch_size, length_group_size(len(lengths), batch_size), seed, epoch=1)


def sorted_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Evaluation batches: the split shortest first, as the HF branch evaluates it."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def spread(batches: list[list[int]], lengths: list[int], count: int) -> list[list[int]]:
    """``count`` batches spread evenly over the epoch's range of batch sizes (padded tokens): the
    sorted batches at evenly spaced quantiles, so that their mean step time stands for the
    epoch's mean with few steps timed (random batches vary too much in width)."""
    ordered = sorted(batches, key=lambda batch: len(batch) * max(lengths[i] for i in batch))
    count = min(count, len(ordered))
    return [ordered[int((k + 0.5) * len(ordered) / count)] for k in range(count)]


def sample(batches: list, count: int, seed: int = 0) -> list:
    """``count`` batches drawn at random without replacement (all of them when fewer)."""
    picks = torch.randperm(len(batches), generator=torch.Generator().manual_seed(seed)).tolist()
    return [batches[i] for i in picks[:count]]


def _tensors(lengths: list[int], batch: list[int], vocab: int, rng: torch.Generator, cap: int | None = None):
    """Token ids (random, padded with id 1 as fairseq's dictionary pads) and the attention mask;
    lengths above ``cap`` truncated as the branch truncates them."""
    sizes = [min(lengths[i], cap) if cap else lengths[i] for i in batch]
    ids = torch.randint(5, vocab, (len(batch), max(sizes)), generator=rng)
    mask = torch.ones_like(ids)
    for row, size in enumerate(sizes):
        ids[row, size:] = 1
        mask[row, size:] = 0
    return ids, mask


def train_step_seconds(model, lengths: list[int], batches: list[list[int]], vocab: int, cap: int | None = None,
                       seed: int = 0, ready=None) -> list[float]:
    """Forward, backward and a fused AdamW step over the trainable parameters, per batch (one
    more batch first, untimed: the warm-up; then ``ready()``, where jobs timed side by side wait
    for each other)."""
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5,
                                  weight_decay=0.01, fused=True)
    rng, times = torch.Generator().manual_seed(seed), []
    for step, batch in enumerate(batches[:1] + batches):
        if step == 1 and ready is not None:
            ready()
        ids, mask = _tensors(lengths, batch, vocab, rng, cap)
        labels = torch.randint(0, 2, (len(batch),), generator=rng)
        started = time.perf_counter()
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - started)
    return times[1:]


@torch.no_grad()
def eval_batch_seconds(model, lengths: list[int], batches: list[list[int]], vocab: int, cap: int | None = None,
                       seed: int = 0) -> list[float]:
    """One forward pass per evaluation batch (one more first, untimed)."""
    model.eval()
    rng, times = torch.Generator().manual_seed(seed), []
    for batch in batches[:1] + batches:
        ids, mask = _tensors(lengths, batch, vocab, rng, cap)
        started = time.perf_counter()
        model(input_ids=ids, attention_mask=mask)
        times.append(time.perf_counter() - started)
    return times[1:]


def bloom_base(shape: dict, quantization: dict, folder, save: bool = True):
    """(model, config, quantized, why) of bloom-560m's shape with random weights, loaded from
    ``folder`` as the BLOOM job loads its base on this machine's CPU (4-bit NF4 where bitsandbytes
    can, else fp32); ``save``: write the random weights there first."""
    from transformers import BloomConfig, BloomForCausalLM

    from ftlib.bloom.model import four_bit_support, load_base

    torch.manual_seed(0)
    config = BloomConfig(vocab_size=shape["vocab_size"], hidden_size=shape["hidden_size"],
                         n_layer=shape["num_layers"], n_head=shape["num_heads"])
    if save:
        BloomForCausalLM(config).save_pretrained(folder)  # from disk, as the job loads it
    quantize, why = four_bit_support(cuda=False) if quantization["load_in_4bit"] else (False, "disabled in config")
    return load_base(str(folder), quantize, quantization, cuda=False), config, quantize, why


@torch.no_grad()
def bloom_inference_seconds(model, config, ids, new_tokens: int) -> dict:
    """One held-out forward of ``ids`` and greedy generation from its first quarter (per new token)."""
    model.eval()
    model(input_ids=ids, labels=ids)  # warm-up
    started = time.perf_counter()
    model(input_ids=ids, labels=ids)
    forward = time.perf_counter() - started
    prompt = ids[:, : max(1, ids.shape[1] // 4)]
    started = time.perf_counter()
    model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=new_tokens,
                   min_new_tokens=new_tokens, do_sample=False, pad_token_id=config.pad_token_id)
    return {"forward_seconds": forward, "seconds_per_new_token": (time.perf_counter() - started) / new_tokens}


def lora_micro_steps(model, ids, steps: int, ready=None) -> list[float]:
    """``steps`` LoRA training micro-steps of batch 1 (one more first, the warm-up; then
    ``ready()``, where jobs timed side by side wait for each other)."""
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    times = []
    for step in range(steps + 1):
        if step == 1 and ready is not None:
            ready()
        started = time.perf_counter()
        model(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - started)
    return times[1:]


def dequantize_share(model, ids) -> float:
    """The share of one micro-step's CPU time spent in bitsandbytes' 4-bit dequantization (the
    NF4 weights expanded before each matrix product, forward and backward), from torch's profiler."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(input_ids=ids, labels=ids).loss.backward()
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    dequantize = sum(e.self_cpu_time_total for e in events if "dequantize" in e.key)
    model.zero_grad(set_to_none=True)
    return dequantize / total if total else 0.0


def bloom_tuned_model(model, config, quantize: bool, lora: dict, checkpointing: dict):
    """The base prepared as the job prepares it (k-bit preparation when 4-bit; gradient
    checkpointing decided as the job decides it: ``checkpointing`` holds its setting, max_length
    and mem_mb), LoRA applied; with (recompute, why)."""
    from ftlib.bloom.memory import use_checkpointing
    from ftlib.bloom.model import prepare_for_lora
    from ftlib.core.memory import own_rss_mb

    recompute, why = use_checkpointing(checkpointing["setting"], config, checkpointing["max_length"],
                                       1, checkpointing["mem_mb"], own_rss_mb())
    return apply_method(prepare_for_lora(model, quantize, recompute), {"kind": "lora", **lora}), recompute, why


def bloom_ids(shape: dict, tokens: int):
    """One timed BLOOM example: ``tokens`` random token ids (seed 0)."""
    return torch.randint(5, shape["vocab_size"], (1, tokens), generator=torch.Generator().manual_seed(0))


def bloom_lora_seconds(shape: dict, lora: dict, quantization: dict, tokens: int, steps: int, new_tokens: int,
                       folder, checkpointing: dict) -> dict:
    """bloom-560m's shape with random weights (bloom_base), then: one held-out forward of
    ``tokens`` tokens, greedy generation (seconds per new token), ``steps`` LoRA training
    micro-steps of batch 1 as the job trains (bloom_tuned_model), and the 4-bit dequantization's
    share of one more."""
    from ftlib.bloom.model import compute_dtype

    model, config, quantize, why = bloom_base(shape, quantization, folder)
    ids = bloom_ids(shape, tokens)
    inference = bloom_inference_seconds(model, config, ids, new_tokens)
    model, recompute, recompute_why = bloom_tuned_model(model, config, quantize, lora, checkpointing)
    times = lora_micro_steps(model, ids, steps)
    path = f"fp32 ({why})"
    if quantize:
        dtype, chosen = compute_dtype(quantization, cuda=False)
        path = f"{why}, {dtype} compute ({chosen})"
    return {"quantized": quantize, "path": path, "tokens": tokens, "recompute": recompute, "recompute_why": recompute_why,
            **inference, "micro_step_seconds": statistics.mean(times), "micro_steps_timed": steps,
            "dequantize_share": dequantize_share(model, ids) if quantize else 0.0}
