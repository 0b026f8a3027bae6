"""Published PEFT parameter counts (LoRA, BitFit and the peft library's printed counts, quoted in
docs/recipes/peft.md) that the accounting reproduces. The published accuracies are the preset
studies' (config/presets/, read by ftlib.core.studies), nowhere in code."""

# (architecture in config peft.architectures, method spec, published count, what is counted).
# "added" counts only what the method adds to the model; "trainable" includes the head.
PUBLISHED_COUNTS = [
    ("bert-base-uncased", {"kind": "lora", "r": 1, "alpha": 1, "target_modules": ["query"]},
     19_970, "trainable"),
    ("bert-base-uncased", {"kind": "lora", "r": 4, "alpha": 4, "target_modules": ["query"]},
     75_266, "trainable"),
    ("bert-base-uncased", {"kind": "lora", "r": 16, "alpha": 16, "target_modules": ["query"]},
     296_450, "trainable"),
    ("t5-small", {"kind": "none"}, 60_506_624, "total"),
    ("t5-small", {"kind": "prompt", "num_virtual_tokens": 10, "encoder_only": True}, 5_120, "added"),
    ("t5-small", {"kind": "adapter", "size": 8}, 104_544, "added"),
    ("t5-small", {"kind": "lora", "r": 8, "alpha": 16, "target_modules": ["q", "v"]}, 294_912, "added"),
    ("bloom-560m", {"kind": "none"}, 559_214_592, "total"),
    ("bloom-560m", {"kind": "lora", "r": 16, "alpha": 32, "target_modules": ["query_key_value"]},
     1_572_864, "added"),
]

# Not a published count: what peft's own prompt tuning adds to t5-small (an encoder prompt and a
# decoder prompt), shown to explain why it differs from the reference's encoder-only +5,120.
PEFT_T5_PROMPT = ("t5-small", {"kind": "prompt", "num_virtual_tokens": 10}, 10_240, "added")
