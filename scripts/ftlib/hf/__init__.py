"""The transformers branch: checkpoint conversion, tokenizer, jsonl data and the Trainer recipe."""
