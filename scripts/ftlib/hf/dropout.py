"""The recipe's dropout on any transformers classifier: `dropout` (hidden states) and
`attention_dropout` (attention probabilities), written under the names the model's config uses.

A model otherwise keeps its checkpoint's values: the demo's converted RoBERTa, pretrained without
dropout, would train with none while its runs record the recipe's 0.1.
"""
from __future__ import annotations

from ftlib.core.errors import InputError

HIDDEN = ("hidden_dropout_prob", "hidden_dropout", "dropout_rate", "dropout")  # BERT/RoBERTa, BLOOM, T5, BART
ATTENTION = ("attention_probs_dropout_prob", "attention_dropout")  # BERT/RoBERTa; BLOOM, BART, DistilBERT
SHARED = "dropout_rate"  # the T5 family: one rate for the hidden states and the attention


def recipe_dropout(config, dropout: float, attention_dropout: float, where) -> dict:
    """Config overrides that give the model the recipe's dropout; ``where`` names the model in the
    one-line refusal of a config with no dropout setting known here."""
    hidden = next((name for name in HIDDEN if hasattr(config, name)), None)
    attention = next((name for name in ATTENTION if hasattr(config, name)), None)
    if hidden is None:
        raise InputError(where, f"{type(config).__name__} has none of the dropout settings {', '.join(HIDDEN)}: "
                                "the recipe's dropout cannot be applied")
    if attention is None and hidden != SHARED:  # an attention rate under a name not known here
        raise InputError(where, f"{type(config).__name__} has none of the attention dropout settings "
                                f"{', '.join(ATTENTION)}: the recipe's attention_dropout cannot be applied")
    if attention is None and attention_dropout != dropout:
        raise InputError(where, f"{type(config).__name__} has one dropout rate ({hidden}) for the hidden states and "
                                f"the attention: the recipe's dropout {dropout} and attention_dropout "
                                f"{attention_dropout} must be equal")
    return {hidden: dropout, **({attention: attention_dropout} if attention else {})}


def config_with_recipe_dropout(model_dir, num_labels: int, dropout: float, attention_dropout: float):
    """The model folder's config for ``num_labels`` labels, with the recipe's dropout (recipe_dropout)."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model_dir, num_labels=num_labels)
    config.update(recipe_dropout(config, dropout, attention_dropout, f"{model_dir}/config.json"))
    return config
