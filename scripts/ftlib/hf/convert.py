"""fairseq RoBERTa checkpoint -> transformers RobertaForMaskedLM folder.

The mapping follows the two implementations' module layouts: fairseq's post-LN
TransformerEncoder with an embedding layer norm (RoBERTa's layernorm_embedding, no final
encoder norm) is HF's RobertaModel; fairseq's learned positions are offset by
padding_idx + 1 = 2, which HF's RobertaEmbeddings does too with pad_token_id = 1, so the
position table is copied as it is (max_position_embeddings = max_positions + 2). HF's
token-type embedding (one type) is zero, as fairseq has none.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)
from ftlib.data.checks import check_fairseq_checkpoint, load_checkpoint_file
from ftlib.core.errors import InputError
from ftlib.hf.tokenizer import build_tokenizer, fast_tokenizer

FS = "encoder.sentence_encoder."
REQUIRED_HF_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]


def load_fairseq_checkpoint(model_path) -> tuple[dict, argparse.Namespace]:
    """State dict and model hyperparameters of a fairseq RoBERTa checkpoint."""
    model_path = Path(model_path)
    state = load_checkpoint_file(model_path)
    weights = state.get("model") if isinstance(state, dict) else None
    if not isinstance(weights, dict) or FS + "embed_tokens.weight" not in weights:
        raise InputError(model_path, f"not a fairseq RoBERTa checkpoint (no {FS}embed_tokens.weight)")
    args = state.get("args")
    if args is None and state.get("cfg") is not None:  # fairseq >= 0.10 saves a hydra config
        model_cfg = state["cfg"]["model"]  # a Namespace for legacy architectures, else a DictConfig
        args = model_cfg if isinstance(model_cfg, argparse.Namespace) else argparse.Namespace(**dict(model_cfg))
    if args is None:
        raise InputError(model_path, "checkpoint has neither 'args' nor 'cfg': cannot tell its architecture")
    for name, expected in [("encoder_normalize_before", False), ("layernorm_embedding", True),
                           ("no_scale_embedding", True), ("activation_fn", "gelu")]:
        if getattr(args, name, expected) != expected:
            raise InputError(model_path, f"{name}={getattr(args, name)!r}: only RoBERTa's "
                                         f"{name}={expected!r} maps onto transformers' RobertaModel")
    return weights, args


def hf_config(args, vocab_size: int, tied: bool):
    from transformers import RobertaConfig

    return RobertaConfig(
        vocab_size=vocab_size,
        hidden_size=args.encoder_embed_dim,
        num_hidden_layers=args.encoder_layers,
        num_attention_heads=args.encoder_attention_heads,
        intermediate_size=args.encoder_ffn_embed_dim,
        hidden_act="gelu",
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.attention_dropout,
        classifier_dropout=getattr(args, "pooler_dropout", 0.0),  # fairseq's classification head
        max_position_embeddings=args.max_positions + 2,
        type_vocab_size=1,
        layer_norm_eps=1e-5,  # torch.nn.LayerNorm's default, which fairseq uses
        pad_token_id=1, bos_token_id=0, eos_token_id=2,
        tie_word_embeddings=tied,
    )


def weight_map(layers: int) -> dict[str, str]:
    """HF RobertaForMaskedLM parameter name -> fairseq parameter name."""
    names = {
        "roberta.embeddings.word_embeddings.weight": FS + "embed_tokens.weight",
        "roberta.embeddings.position_embeddings.weight": FS + "embed_positions.weight",
        "roberta.embeddings.LayerNorm.weight": FS + "layernorm_embedding.weight",
        "roberta.embeddings.LayerNorm.bias": FS + "layernorm_embedding.bias",
        "lm_head.dense.weight": "encoder.lm_head.dense.weight",
        "lm_head.dense.bias": "encoder.lm_head.dense.bias",
        "lm_head.layer_norm.weight": "encoder.lm_head.layer_norm.weight",
        "lm_head.layer_norm.bias": "encoder.lm_head.layer_norm.bias",
        "lm_head.decoder.weight": "encoder.lm_head.weight",
        "lm_head.bias": "encoder.lm_head.bias",
        "lm_head.decoder.bias": "encoder.lm_head.bias",  # the same tensor as lm_head.bias in HF
    }
    per_layer = {
        "attention.self.query": "self_attn.q_proj",
        "attention.self.key": "self_attn.k_proj",
        "attention.self.value": "self_attn.v_proj",
        "attention.output.dense": "self_attn.out_proj",
        "attention.output.LayerNorm": "self_attn_layer_norm",
        "intermediate.dense": "fc1",
        "output.dense": "fc2",
        "output.LayerNorm": "final_layer_norm",
    }
    for i in range(layers):
        for hf, fs in per_layer.items():
            for kind in ("weight", "bias"):
                names[f"roberta.encoder.layer.{i}.{hf}.{kind}"] = f"{FS}layers.{i}.{fs}.{kind}"
    return names


def expected_hf_tensor(name: str, fairseq_weights: dict, extra_rows: int):
    """The HF tensor that fairseq's weights give for ``name`` (None: not from fairseq).

    Vocabulary-sized tensors get ``extra_rows`` copies of <unk>'s row (id 3): the ids the
    tokenizer gives SentencePiece pieces that dict.txt lacks, which fairseq reads as <unk>.
    """
    import torch

    source = weight_map(count_layers(fairseq_weights)).get(name)
    if source is None:
        return None
    tensor = fairseq_weights[source].float()
    if extra_rows and name in ("roberta.embeddings.word_embeddings.weight", "lm_head.decoder.weight",
                               "lm_head.bias", "lm_head.decoder.bias"):
        tensor = torch.cat([tensor, tensor[3:4].expand(extra_rows, *tensor.shape[1:])])
    return tensor


def count_layers(weights: dict) -> int:
    return len({k.split(".layers.")[1].split(".")[0] for k in weights if k.startswith(FS + "layers.")})


def load_from_fairseq(model, tensor_for, source_path) -> None:
    """Fill a transformers model built on the meta device with a fairseq checkpoint's tensors:
    ``tensor_for(name)`` gives each parameter (None: the token-type embedding, which fairseq has
    none of, zeros); a shape that differs is one line naming ``source_path``."""
    import torch

    state = {}
    for name, param in model.state_dict().items():
        tensor = tensor_for(name)
        if tensor is None:
            if "token_type_embeddings" not in name:
                raise RuntimeError(f"no fairseq source for transformers parameter {name}")
            tensor = torch.zeros(param.shape)  # fairseq has no token types
        if tuple(tensor.shape) != tuple(param.shape):
            raise InputError(source_path, f"{name}: fairseq gives shape {tuple(tensor.shape)}, "
                                          f"transformers expects {tuple(param.shape)}")
        state[name] = tensor.contiguous()
    model.load_state_dict(state, assign=True)


def save_with_tokenizer(model, spm_path, dict_path, max_positions: int, out_dir) -> None:
    """The model (in eval mode) and its fast tokenizer, as one transformers folder."""
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    fast_tokenizer(spm_path, dict_path, max_positions).save_pretrained(out_dir)


def convert(model_path, dict_path, spm_path, out_dir) -> dict:
    """Write a transformers folder (config, safetensors, tokenizer) for a fairseq checkpoint."""
    import torch
    from transformers import RobertaForMaskedLM


    check_fairseq_checkpoint(model_path, dict_path)  # vocabulary size vs dict.txt, one-line errors
    weights, args = load_fairseq_checkpoint(model_path)
    _, n_symbols, extra = build_tokenizer(spm_path, dict_path)
    tied = torch.equal(weights[FS + "embed_tokens.weight"], weights["encoder.lm_head.weight"])
    if tied != (not getattr(args, "untie_weights_roberta", False)):
        raise InputError(model_path, "lm_head.weight and embed_tokens.weight disagree with untie_weights_roberta")
    config = hf_config(args, n_symbols + len(extra), tied)
    with torch.device("meta"):
        model = RobertaForMaskedLM(config)
    load_from_fairseq(model, lambda name: expected_hf_tensor(name, weights, len(extra)), model_path)
    model.tie_weights()
    save_with_tokenizer(model, spm_path, dict_path, args.max_positions, out_dir)
    return {"vocab_size": config.vocab_size, "dict_symbols": n_symbols, "pieces_not_in_dict": len(extra),
            "layers": config.num_hidden_layers, "hidden_size": config.hidden_size,
            "max_position_embeddings": config.max_position_embeddings, "tied_lm_head": tied}


def check_hf_folder(folder) -> None:
    """A converted (or published) folder must hold every file transformers loads."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "converted model folder is missing")
    for name in REQUIRED_HF_FILES:
        if not (folder / name).is_file():
            raise InputError(folder / name, "file is missing from the converted model folder")


def copy_published(folder, out_dir) -> dict:
    """A published transformers conversion, re-saved as config + safetensors + tokenizer."""
    from transformers import AutoTokenizer, RobertaForMaskedLM

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise InputError(folder / "config.json", "file is missing from the published model folder")
    if not any((folder / name).is_file() for name in ("model.safetensors", "pytorch_model.bin")):
        raise InputError(folder / "model.safetensors", "no weights (model.safetensors or pytorch_model.bin) in the published folder")
    model = RobertaForMaskedLM.from_pretrained(str(folder))
    model.save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(str(folder)).save_pretrained(out_dir)
    return {"vocab_size": model.config.vocab_size, "layers": model.config.num_hidden_layers,
            "hidden_size": model.config.hidden_size, "published": str(folder)}
