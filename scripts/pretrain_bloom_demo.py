"""Snakemake script: the demo's base model. A byte-level BPE tokenizer trained on the demo's
French text, then a tiny Bloom (BloomConfig) pretrained on it as a causal LM (one line per
document, each ended by EOS), so that "before fine-tuning" is a model that writes French but has
never seen the prompt format."""
import time
from pathlib import Path

from ftlib.bloom_data import demo_pretraining_text, read_jsonl
from ftlib.bloom_model import pretrain_causal_lm, tiny_bloom_config, train_tokenizer
from ftlib.errors import run_step
from ftlib.proc import peak_rss_mb
from ftlib.textio import write_json, write_lines

import torch


def main():
    start = time.time()
    torch.set_num_threads(snakemake.threads)
    shape, hp = snakemake.params.model, snakemake.params.pretrain
    out = Path(snakemake.output.model)
    lines = demo_pretraining_text(read_jsonl(snakemake.input.train), hp["sentences"], hp["seed"])
    write_lines(snakemake.output.text, lines)
    tokenizer = train_tokenizer(lines, shape["vocab_size"])
    # one stream of documents, each ended by EOS as in BLOOM's own pretraining data
    ids = [t for doc in tokenizer(lines, add_special_tokens=False)["input_ids"]
           for t in doc + [tokenizer.eos_token_id]]
    print(f"tokenizer: {len(tokenizer)} tokens; pretraining text: {len(lines)} lines, {len(ids)} tokens",
          flush=True)
    torch.manual_seed(hp["seed"])
    from transformers import BloomForCausalLM
    model = BloomForCausalLM(tiny_bloom_config(tokenizer, shape))
    history = pretrain_causal_lm(model, ids, hp, log=lambda m: print(m, flush=True))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_json(out / "pretraining.json", {"history": history, "tokens": len(ids), "lines": len(lines),
                                          "wall_seconds": time.time() - start, "peak_rss_mb": peak_rss_mb(),
                                          "threads": snakemake.threads})


run_step(main, snakemake.output, snakemake.log[0])
