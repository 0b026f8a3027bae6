"""The HF branch's classifier initialised as fairseq initialises it, so that both toolkits start
from the same distribution (the comparison report's scratch rows measured the difference).

fairseq's RobertaModel applies BERT's initialisation (init_bert_params: every Linear and
Embedding N(0, 0.02), biases 0, padding rows 0) to the encoder when it is built and registers
the classification head afterwards: the head keeps torch.nn.Linear's default initialisation,
weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (std 1/sqrt(3·fan_in): 0.051 for the
demo's D = 128, 0.026 for D = 512). transformers draws the same head N(0, 0.02), biases 0. The
encoders match, but for transformers' token-type embedding (one row, added to every token),
which fairseq does not have: the conversion writes it as zeros, so a scratch model starts with
it at zero too.
"""
from __future__ import annotations


def fairseq_init(model, scratch: bool):
    """Re-draw the head's Linear layers as fairseq's are (torch's default reset_parameters);
    for a scratch model, the token-type row at zero as in the converted checkpoint."""
    import torch
    from torch import nn

    for module in model.classifier.modules():
        if isinstance(module, nn.Linear):
            module.reset_parameters()
    if scratch:
        with torch.no_grad():
            model.roberta.embeddings.token_type_embeddings.weight.zero_()
    return model
