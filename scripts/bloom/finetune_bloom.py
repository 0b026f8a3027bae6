"""Snakemake script: LoRA instruction tuning of the BLOOM base on the FAQ, in 4-bit NF4 where
bitsandbytes allows it (else, said in one line, on the unquantized base), with held-out loss
and greedy answers before and after (EOS rate, distinct answers, token F1 against the references)."""
import tempfile
import time

from ftlib.bloom.data import read_jsonl, token_f1
from ftlib.bloom.model import compute_dtype, four_bit_support, load_base, prepare_for_lora
from ftlib.accounting.bloom import count, describe
from ftlib.bloom.train import encode_pairs, generate_answers, heldout_loss, lora_finetune, perplexity
from ftlib.core.device import resolve
from ftlib.core.errors import InputError, run_step
from ftlib.bloom.memory import use_checkpointing
from ftlib.core.memory import own_rss_mb, peak_rss_mb
from ftlib.core.run_record import run_record
from ftlib.core.seeding import seed_everything
from ftlib.core.textio import write_json
from ftlib.peft import apply_method

import torch


def say(message):
    print(message, flush=True)


def load_tokenizer(source):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(source)
    except OSError as err:  # offline hub, or a folder without tokenizer files
        reason = str(err).strip().splitlines()[0][:200]
        raise InputError(source, f"cannot load the base model's tokenizer ({reason}); with no network, "
                                 "download it elsewhere and set bloom.real.base_model to its folder") from None


def answer_tokens(tokenizer, pair):
    """Tokens the model must generate for this pair: the answer after the prompt, and EOS."""
    from ftlib.bloom.data import prompt_of, training_text
    whole = tokenizer(training_text(pair["question"], pair["answer"]), add_special_tokens=False)["input_ids"]
    prompt = tokenizer(prompt_of(pair["question"]), add_special_tokens=False)["input_ids"]
    return len(whole) - len(prompt) + 1


def answer_scores(answers: list[dict]) -> dict:
    """Each answer's token F1 against its reference (stored in the answer), and the stage's
    EOS rate, mean token F1 and number of distinct answers."""
    for a in answers:
        a["token_f1"] = token_f1(a["answer"], a["reference"])
    return {"eos_rate": sum(a["ended_with_eos"] for a in answers) / len(answers),
            "token_f1": sum(a["token_f1"] for a in answers) / len(answers),
            "distinct_answers": len({" ".join(a["answer"].split()) for a in answers})}


def base_path(q: dict, cuda: bool) -> tuple[bool, str]:
    """Whether the base loads in 4 bits here, and the path in words (said in the log and report)."""
    quantize, why = (False, "disabled in config (bloom.quantization.load_in_4bit: false)")
    if q["load_in_4bit"]:
        quantize, why = four_bit_support(cuda)
    if quantize:
        dtype, chosen = compute_dtype(q, cuda)
        return True, f"4-bit NF4 base ({why}; double quant {q['double_quant']}, {dtype} compute: {chosen})"
    say(f"4-bit loading not available: {why}; training the same LoRA on the unquantized base")
    return False, "unquantized fp32 base"


def evaluate(stage: str, model, tokenizer, heldout, heldout_pairs, max_new_tokens: int) -> dict:
    """Held-out loss, greedy answers and their scores (EOS rate, distinct answers, token F1)."""
    result = {"heldout_loss": heldout_loss(model, heldout)}
    result["answers"] = generate_answers(model, tokenizer, heldout_pairs, max_new_tokens)
    result.update(answer_scores(result["answers"]))
    say(f"{stage}: held-out loss {result['heldout_loss']:.3f}, EOS rate {result['eos_rate']:.0%}, "
        f"{result['distinct_answers']} distinct answers, token F1 {result['token_f1']:.3f}")
    return result


def add_lora(model, quantize: bool, lora: dict, recompute: bool):
    """The base prepared (prepare_for_lora) with the LoRA method of the registry."""
    return apply_method(prepare_for_lora(model, quantize, recompute), {"kind": "lora", **lora})


def paraphrased(train_pairs, heldout_pairs) -> list:
    """Held-out questions whose reference answer is also a training answer: paraphrases of a
    training question (as a real FAQ's questions may be)."""
    train_answers = {" ".join(pair["answer"].split()) for pair in train_pairs}
    return [pair["index"] for pair in heldout_pairs if " ".join(pair["answer"].split()) in train_answers]


def encoded_data(p) -> dict:
    """The tokenizer, the pairs and their encodings: every bad pair stops here, before any model
    is loaded or trained."""
    data = {"train_pairs": read_jsonl(snakemake.input.train), "heldout_pairs": read_jsonl(snakemake.input.heldout)}
    tokenizer = data["tokenizer"] = load_tokenizer(p.base)
    if tokenizer.eos_token_id is None:
        raise InputError(p.base, "the tokenizer has no EOS token to end the answers with")
    data["train"] = encode_pairs(tokenizer, data["train_pairs"], p.max_length, snakemake.input.train)
    data["heldout"] = encode_pairs(tokenizer, data["heldout_pairs"], p.max_length, snakemake.input.heldout)
    return data


def job_metrics(p, data: dict, base: dict, placement, run: dict, counts: dict, before: dict, after: dict,
                wall_seconds: float) -> dict:
    """metrics.json: the path that ran, the data's sizes, the recipe, the counts, the held-out
    scores before and after (answers apart, in generations.json), the curves and the costs."""
    cuda = placement.device == "cuda"
    return {
        "mode": snakemake.wildcards.mode, "base": p.base, **base,
        "optimizer": run["optimizer"], "cuda": cuda, **placement.record(),
        "n_train": len(data["train"]), "n_heldout": len(data["heldout"]),
        "heldout_answer_in_training": paraphrased(data["train_pairs"], data["heldout_pairs"]),
        "train_tokens": sum(len(e["input_ids"]) for e in data["train"]),
        "heldout_answer_tokens": sum(answer_tokens(data["tokenizer"], pair) for pair in data["heldout_pairs"]),
        "max_new_tokens": p.max_new_tokens,
        "hp": dict(p.train), "lora": dict(p.lora), "warmup_steps": run["warmup_steps"],
        "counts": {k: {"trainable": t, "all": a} for k, (t, a) in counts.items()},
        "before": {k: v for k, v in before.items() if k != "answers"},
        "after": {k: v for k, v in after.items() if k != "answers"},
        "train_curve": run["train_curve"], "heldout_curve": run["heldout_curve"],
        "train_seconds": run["train_seconds"], "wall_seconds": wall_seconds,
        "peak_rss_mb": peak_rss_mb(), "threads": snakemake.threads,
        "peak_cuda_mb": torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
    }


def main():
    start = time.time()
    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    hp, q = p.train, p.quantization
    placement = resolve(**p.placement)
    cuda = placement.device == "cuda"
    say(f"device: {placement.device} ({placement.name}, {placement.precision})")
    data = encoded_data(p)
    tokenizer, heldout, heldout_pairs = data["tokenizer"], data["heldout"], data["heldout_pairs"]

    quantize, path = base_path(q, cuda)
    say(f"path: {path}")
    model = load_base(p.base, quantize, q, cuda)
    counts = {"loaded": count(model)}
    say(f"loaded base: {describe(*counts['loaded'])}")

    seed_everything(hp["seed"])
    before = evaluate("before", model, tokenizer, heldout, heldout_pairs, p.max_new_tokens)
    recompute, why = use_checkpointing(p.gradient_checkpointing, model.config, p.max_length, hp["batch_size"],
                                       snakemake.resources.mem_mb, own_rss_mb())
    say(f"gradient checkpointing {'on' if recompute else 'off'}: {why}")
    model = add_lora(model, quantize, p.lora, recompute)
    counts["lora"] = count(model)
    say(f"with LoRA: {describe(*counts['lora'])}")

    with tempfile.TemporaryDirectory() as scratch:  # Trainer's output_dir: nothing is saved there
        run = lora_finetune(model, tokenizer, data["train"], heldout, hp, scratch, log=say, placement=placement)
    after = evaluate("after", model, tokenizer, heldout, heldout_pairs, p.max_new_tokens)
    model.save_pretrained(snakemake.output.adapter)

    for stage in (before, after):
        stage["heldout_perplexity"] = perplexity(stage["heldout_loss"])
    write_json(snakemake.output.generations, {"before": before["answers"], "after": after["answers"]})
    base = {"path": path, "quantized": quantize, "compute_dtype": compute_dtype(q, cuda)[0] if quantize else "float32",
            "gradient_checkpointing": recompute, "gradient_checkpointing_why": why}
    metrics = job_metrics(p, data, base, placement, run, counts, before, after, time.time() - start)
    write_json(snakemake.output.record, run_record(
        "bloom", "lora", int(hp["seed"]), {**dict(hp), **{f"lora_{k}": v for k, v in dict(p.lora).items()}}, metrics,
        **{f"{key}_{stage}": metrics[stage][key] for stage in ("before", "after")
           for key in ("heldout_loss", "eos_rate", "token_f1")}, code_digest=p.code))
    write_json(snakemake.output.metrics, metrics)


run_step(main, snakemake.output, snakemake.log[0])
