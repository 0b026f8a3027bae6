"""Models as data: the model sheet (config/models.yaml), the models the PEFT branch fine-tunes,
and model shapes with their base parameter counts (below the PEFT kinds and the accounting)."""
