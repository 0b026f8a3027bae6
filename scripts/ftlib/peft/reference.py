"""Published PEFT numbers (LoRA, BitFit and the peft library's printed counts, quoted in the
README's PEFT section) that the accounting reproduces and the report shows beside this run's."""

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

# Reference accuracies (%) beside the methods of this project (other models and tasks: for scale,
# not for comparison). method name in config -> list of (source, value).
REFERENCE_ACCURACY = {
    "full": [("t5-small, GLUE-style task, best valid, full fine-tuning", 90.0)],
    "bitfit": [("bert-base MRPC / SST-2, BitFit", "≈80 / ≈90"),
               ("roberta-base RTE / SST-2, BitFit", "74.0 / 89.2")],
    "lora_q_r1": [("bert-base MRPC / SST-2, LoRA(query)", "≈80 / ≈90")],
    "lora_q_r4": [("bert-base MRPC / SST-2, LoRA(query)", "≈80 / ≈90")],
    "lora_q_r16": [("bert-base MRPC / SST-2, LoRA(query)", "≈80 / ≈90")],
    "lora_qv_r8": [("t5-small, LoRA r=8 on q and v", 88.9),
                   ("roberta-base RTE / SST-2, LoRA r=2", "72.6 / 92.3")],
    "adapter8": [("t5-small, bottleneck adapter 8", 90.6)],
    "prompt10": [("t5-small, soft prompt 10 tokens", 86.8)],
}
