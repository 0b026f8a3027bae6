"""Snakemake script: the demo's base model. A byte-level BPE tokenizer trained on the demo's
French text, then a tiny Bloom (BloomConfig) pretrained on it as a causal LM on running text
(documents of several sentences, EOS only at each document's end), so that "before fine-tuning"
is a model that writes French on and on but has never seen the prompt format."""
import time
from pathlib import Path

from ftlib.bloom.data import demo_pretraining_documents, read_jsonl
from ftlib.bloom.model import document_stream, pretrain_causal_lm, tiny_bloom_config, train_tokenizer
from ftlib.core.errors import run_step
from ftlib.core.memory import peak_rss_mb
from ftlib.core.seeding import seed_everything
from ftlib.core.textio import write_json, write_lines

import torch


def main():
    start = time.time()
    torch.set_num_threads(snakemake.threads)
    shape, hp = snakemake.params.model, snakemake.params.pretrain
    out = Path(snakemake.output.model)
    docs = demo_pretraining_documents(read_jsonl(snakemake.input.train), hp["sentences"], hp["doc_sentences"],
                                      hp["seed"])
    write_lines(snakemake.output.text, docs)  # one document per line
    tokenizer = train_tokenizer(docs, shape["vocab_size"])
    ids = document_stream(tokenizer, docs)
    print(f"tokenizer: {len(tokenizer)} tokens; pretraining text: {len(docs)} documents, {len(ids)} tokens",
          flush=True)
    seed_everything(hp["seed"])
    from transformers import BloomForCausalLM
    model = BloomForCausalLM(tiny_bloom_config(tokenizer, shape))
    history = pretrain_causal_lm(model, ids, hp, log=lambda m: print(m, flush=True))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_json(out / "pretraining.json", {"history": history, "tokens": len(ids), "documents": len(docs),
                                          "wall_seconds": time.time() - start, "peak_rss_mb": peak_rss_mb(),
                                          "threads": snakemake.threads})


run_step(main, snakemake.output, snakemake.log[0])
