"""The recipe's dropout reaches every transformers classifier the PEFT and HF jobs build
(ftlib.hf.dropout): the demo's converted RoBERTa was pretrained without dropout, and its PEFT runs
trained without any while runs.csv recorded the recipe's 0.1."""
import pytest

from ftlib.core import transformers_guard  # noqa: F401  (before transformers: hides the unloadable torchaudio)
from transformers import (BertConfig, BertForSequenceClassification, BloomConfig, GPT2Config, PretrainedConfig,
                          RobertaConfig,
                          RobertaForSequenceClassification, T5Config, T5ForSequenceClassification)

from ftlib.core.errors import InputError
from ftlib.hf.dropout import recipe_dropout

SMALL = dict(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)


def dropout_rates(model) -> set[float]:
    import torch

    rates = {m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)}
    attention = {getattr(m, "dropout", None) for m in model.modules() if isinstance(getattr(m, "dropout", None), float)}
    return rates | attention


@pytest.mark.parametrize("config_class, model_class", [(RobertaConfig, RobertaForSequenceClassification),
                                                       (BertConfig, BertForSequenceClassification)])
def test_a_checkpoint_without_dropout_trains_with_the_recipes(config_class, model_class):
    config = config_class(**SMALL, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, classifier_dropout=0.0,
                          num_labels=2)
    config.update(recipe_dropout(config, 0.1, 0.2, "model/config.json"))
    model = model_class(config)
    assert (config.hidden_dropout_prob, config.attention_probs_dropout_prob) == (0.1, 0.2)
    assert {0.1, 0.2} <= dropout_rates(model)  # the hidden states' and the attention's
    head = model.classifier.dropout if config_class is RobertaConfig else model.dropout
    assert head.p == 0.0  # the head keeps the checkpoint's (fairseq's pooler dropout)


def test_t5_has_one_rate_and_refuses_two_different_ones():
    config = T5Config(vocab_size=100, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2, dropout_rate=0.0)
    assert recipe_dropout(config, 0.1, 0.1, "t5") == {"dropout_rate": 0.1}
    config.update(recipe_dropout(config, 0.1, 0.1, "t5"))
    assert 0.1 in dropout_rates(T5ForSequenceClassification(config))
    with pytest.raises(InputError, match=r"^t5/config.json: T5Config has one dropout rate \(dropout_rate\) for the "
                                         r"hidden states and the attention: the recipe's dropout 0.1 and "
                                         r"attention_dropout 0.2 must be equal$"):
        recipe_dropout(config, 0.1, 0.2, "t5/config.json")


def test_other_names_are_found_and_an_unknown_model_is_refused_in_one_line():
    assert recipe_dropout(BloomConfig(), 0.1, 0.0, "b") == {"hidden_dropout": 0.1, "attention_dropout": 0.0}
    with pytest.raises(InputError, match=r"^gpt2/config.json: GPT2Config has none of the dropout settings "
                                         r"hidden_dropout_prob, hidden_dropout, dropout_rate, dropout: the recipe's "
                                         r"dropout cannot be applied$"):
        recipe_dropout(GPT2Config(), 0.1, 0.1, "gpt2/config.json")
    lone = PretrainedConfig(hidden_dropout_prob=0.1)  # an attention rate under another name (Reformer's)
    with pytest.raises(InputError, match=r"^m/config.json: PreTrainedConfig has none of the attention dropout "
                                         r"settings attention_probs_dropout_prob, attention_dropout: the recipe's "
                                         r"attention_dropout cannot be applied$"):
        recipe_dropout(lone, 0.1, 0.1, "m/config.json")
