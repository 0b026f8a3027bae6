"""The BLOOM branch: the FAQ data and prompt format, the model, LoRA instruction tuning."""
