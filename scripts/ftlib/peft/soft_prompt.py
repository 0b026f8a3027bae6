"""A soft prompt for T5's sequence classifier: ``n`` trained vectors before the encoder's input
embeddings (Lester et al. 2021's encoder prompt, the t5-small reference's 10 x 512).

peft's prompt tuning cannot run T5ForSequenceClassification: it passes inputs_embeds, which that
class refuses (it finds each example's EOS in input_ids). Here a forward pre-hook on the inner
T5Model keeps input_ids for the classifier and hands the encoder the prompted embeddings, with
the attention mask widened to match (the decoder's cross-attention reads it too).
"""
from __future__ import annotations

import torch
from torch import nn


class SoftPrompt(nn.Module):
    def __init__(self, embeddings: nn.Embedding, n: int):
        super().__init__()
        # initialised as n embeddings of random vocabulary entries (the "sampled vocabulary"
        # initialisation): on the embeddings' scale from the first step
        rows = torch.randint(0, embeddings.num_embeddings, (n,))
        self.embedding = nn.Parameter(embeddings.weight.detach()[rows].clone())

    def prepend(self, embedded: torch.Tensor, mask: torch.Tensor | None):
        batch = embedded.shape[0]
        prompt = self.embedding.unsqueeze(0).expand(batch, -1, -1).to(embedded.dtype)
        ones = torch.ones(batch, prompt.shape[1], dtype=torch.long, device=embedded.device)
        mask = torch.cat([ones, mask.to(ones.dtype)], dim=1) if mask is not None else None
        return torch.cat([prompt, embedded], dim=1), mask


def add_encoder_prompt(model, n: int) -> SoftPrompt:
    """Attach a SoftPrompt of ``n`` vectors to a T5ForSequenceClassification (model.soft_prompt)."""
    inner = model.transformer
    model.soft_prompt = SoftPrompt(inner.get_input_embeddings(), n)

    def hook(module, args, kwargs):
        input_ids = args[0] if args else kwargs.pop("input_ids", None)
        if input_ids is None:
            return None
        embedded, mask = model.soft_prompt.prepend(module.get_input_embeddings()(input_ids),
                                                   kwargs.get("attention_mask"))
        kwargs.update(inputs_embeds=embedded, attention_mask=mask)
        return (None,) + tuple(args[1:]), kwargs

    inner.register_forward_pre_hook(hook, with_kwargs=True)
    return model.soft_prompt
