"""Library code of the fine-tuning workflow; the scripts in scripts/ are thin wrappers."""
