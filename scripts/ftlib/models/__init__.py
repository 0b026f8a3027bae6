"""The model sheet (config/models.yaml): the models the PEFT branch fine-tunes, as data."""
