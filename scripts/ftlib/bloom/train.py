"""LoRA instruction tuning of a causal LM on question/answer pairs with transformers.Trainer,
held-out loss, and greedy generation before/after."""
from __future__ import annotations

import math
import time

from ftlib.core import transformers_guard  # noqa: F401  (first: hides the unloadable torchaudio from transformers)

import torch  # noqa: E402

from ftlib.bloom.data import prompt_of, training_text  # noqa: E402
from ftlib.bloom.model import on_gpu  # noqa: E402
from ftlib.core.device import CPU, Placement  # noqa: E402
from ftlib.core.errors import InputError  # noqa: E402


def encode_pairs(tokenizer, pairs: list[dict], max_length: int, path) -> list[dict]:
    """`prompt + answer` then the EOS token (so that the model learns to stop); a pair longer
    than the context is bad input, named before any training."""
    examples = []
    for pair in pairs:
        ids = tokenizer(training_text(pair["question"], pair["answer"]), add_special_tokens=False)["input_ids"]
        ids = ids + [tokenizer.eos_token_id]
        if len(ids) > max_length:
            raise InputError(path, f"entry {pair['index']}: prompt and answer are {len(ids)} tokens, "
                                   f"longer than the model's context of {max_length} (bloom max_length)")
        examples.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": list(ids)})
    return examples


def model_device(model):
    return next(model.parameters()).device


@torch.no_grad()
def heldout_loss(model, examples: list[dict]) -> float:
    """Mean negative log-likelihood per predicted token over the held-out sequences."""
    was_training = model.training
    model.eval()
    device, nll, tokens = model_device(model), 0.0, 0
    for ex in examples:
        ids = torch.tensor([ex["input_ids"]], device=device)
        n = ids.shape[1] - 1
        nll += model(input_ids=ids, labels=ids).loss.float().item() * n
        tokens += n
    model.train(was_training)
    return nll / tokens


@torch.no_grad()
def generate_answers(model, tokenizer, pairs: list[dict], max_new_tokens: int) -> list[dict]:
    """Greedy answers to the prompts; records whether each generation ended with EOS."""
    was_training = model.training
    model.eval()
    device, out = model_device(model), []
    for pair in pairs:
        ids = tokenizer(prompt_of(pair["question"]), add_special_tokens=False, return_tensors="pt")["input_ids"].to(device)
        gen = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens,
                             do_sample=False, eos_token_id=tokenizer.eos_token_id,
                             pad_token_id=tokenizer.pad_token_id)[0, ids.shape[1]:].tolist()
        ended = tokenizer.eos_token_id in gen
        if ended:
            gen = gen[:gen.index(tokenizer.eos_token_id)]
        out.append({"index": pair["index"], "question": pair["question"], "reference": pair["answer"],
                    "answer": tokenizer.decode(gen, skip_special_tokens=True).strip(),
                    "ended_with_eos": ended, "new_tokens": len(gen) + int(ended)})
    model.train(was_training)
    return out


def choose_optimizer(requested: str, log=print, cuda: bool | None = None) -> str:
    """paged_adamw_8bit pages optimizer state through CUDA unified memory: CUDA only."""
    if requested.startswith("paged_") and not on_gpu(cuda):
        log(f"optimizer: {requested} needs CUDA; using torch AdamW (adamw_torch) on CPU")
        return "adamw_torch"
    return requested


def lora_finetune(model, tokenizer, train: list[dict], heldout: list[dict], hp: dict, out_dir,
                  log=print, placement: Placement | None = None) -> dict:
    """Trainer with the reference recipe (steps, lr, batch × accumulation, cosine, warmup ratio,
    optimizer); the held-out loss every `eval_every` optimizer steps for the curve."""
    from transformers import (DataCollatorForLanguageModeling, PrinterCallback, Trainer, TrainerCallback,
                              TrainingArguments)

    from ftlib.core.stream_dropout import install

    curve = []

    class HeldoutCurve(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kwargs):
            if state.global_step % hp["eval_every"] == 0 or state.global_step == state.max_steps:
                loss = heldout_loss(model, heldout)
                curve.append({"step": state.global_step, "heldout_loss": loss})
                log(f"step {state.global_step}/{state.max_steps} held-out loss {loss:.3f}")

    if placement is None:  # where torch sees a GPU, there
        placement = Placement("cuda", "fp32", "cuda") if on_gpu(None) else CPU
    install(placement.dropout_masks, log)
    optim = choose_optimizer(hp["optim"], log, cuda=placement.device == "cuda")
    args = TrainingArguments(
        output_dir=str(out_dir), max_steps=hp["max_steps"], learning_rate=hp["lr"],
        per_device_train_batch_size=hp["batch_size"], gradient_accumulation_steps=hp["grad_accum"],
        optim=optim, lr_scheduler_type=hp["scheduler"], warmup_steps=hp["warmup_ratio"],
        logging_steps=1, save_strategy="no", eval_strategy="no", report_to=[], seed=hp["seed"],
        data_seed=hp["seed"], disable_tqdm=True, dataloader_num_workers=0, remove_unused_columns=False,
        **placement.trainer_args())
    collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)
    trainer = Trainer(model=model, args=args, train_dataset=train, data_collator=collator,
                      callbacks=[HeldoutCurve()])
    trainer.remove_callback(PrinterCallback)  # one dict per step: HeldoutCurve reports progress
    start = time.time()
    trainer.train()
    train_curve = [{"step": e["step"], "loss": e["loss"], "lr": e.get("learning_rate")}
                   for e in trainer.state.log_history if "loss" in e]
    return {"optimizer": optim, "train_curve": train_curve, "heldout_curve": curve,
            "train_seconds": time.time() - start, "warmup_steps": args.get_warmup_steps(hp["max_steps"])}


def perplexity(loss: float) -> float:
    return math.exp(loss)
