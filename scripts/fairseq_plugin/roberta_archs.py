"""RoBERTa architectures used by the workflow, on top of fairseq's ``roberta`` base.

``roberta_small`` is the architecture of the published RoBERTa_small_fr checkpoint;
``roberta_demo`` is the tiny one the demo configuration pretrains in a few minutes on a
CPU. Only hyperparameters that differ from fairseq's ``roberta_base`` are set here:
dropout, activations, layer-norm placement and the embedding layer norm stay fairseq's.
"""
from fairseq.models import register_model_architecture
from fairseq.models.roberta.model import base_architecture


def _set_default(args, **values):
    for name, value in values.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)


@register_model_architecture("roberta", "roberta_small")
def roberta_small_architecture(args):
    _set_default(
        args,
        encoder_layers=4,
        encoder_embed_dim=512,
        encoder_ffn_embed_dim=512,
        encoder_attention_heads=8,
        max_positions=256,
    )
    base_architecture(args)


@register_model_architecture("roberta", "roberta_demo")
def roberta_demo_architecture(args):
    _set_default(
        args,
        encoder_layers=2,
        encoder_embed_dim=128,
        encoder_ffn_embed_dim=256,
        encoder_attention_heads=4,
        max_positions=256,
    )
    base_architecture(args)
