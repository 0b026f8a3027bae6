"""Proof that a transformers folder is the fairseq checkpoint: same ids, same weights, same states.

Three checks, each stopping at the first difference and naming it:
1. token ids: the HF tokenizer against fairseq's pipeline (SentencePiece pieces -> dict.txt
   ids, <s> ... </s>) on every review given;
2. weights: every transformers tensor against the fairseq tensor it comes from;
3. hidden states: embeddings output and every layer's output, fairseq vs transformers, in
   eval mode on a fixed batch, at the non-padding positions (fairseq zeroes padded
   embeddings, HF does not; neither lets padding reach real tokens through attention).
"""
from __future__ import annotations


from ftlib.core import transformers_guard  # noqa: F401  (before transformers)
from ftlib.core.errors import InputError
from ftlib.data.checks import load_dictionary, read_lines
from ftlib.data.spm_encode import load_sentencepiece
from ftlib.hf.convert import check_hf_folder, count_layers, expected_hf_tensor, load_fairseq_checkpoint, weight_map
from ftlib.hf.tokenizer import UNK_ID, load_fairseq_dictionary


class ParityError(InputError):
    """The converted folder does not compute what the fairseq checkpoint computes."""


def fairseq_encoder(model_path, dict_path):
    """fairseq's RobertaEncoder, built from the checkpoint's own args, weights loaded, eval mode."""
    import torch
    from fairseq.models.roberta.model import RobertaEncoder


    weights, args = load_fairseq_checkpoint(model_path)
    dictionary = load_dictionary(dict_path)
    with torch.no_grad():
        encoder = RobertaEncoder(args, dictionary)
    own = {k[len("encoder."):]: v for k, v in weights.items() if k.startswith("encoder.")}
    encoder.load_state_dict(own, strict=False)
    missing = [k for k in encoder.state_dict() if k not in own]
    if missing:
        raise InputError(model_path, f"checkpoint lacks {missing[0]}")
    return encoder.eval(), weights, args


def check_token_ids(tokenizer, spm_path, dict_path, reviews: list[tuple[str, int, str]]) -> int:
    """reviews: (file, line number, text). Returns how many were compared."""

    processor = load_sentencepiece(spm_path)
    index = {symbol: i for i, symbol in enumerate(load_fairseq_dictionary(dict_path))}
    n_symbols = len(index)
    for path, line, text in reviews:
        pieces = " ".join(processor.encode(text, out_type=str)).split()
        expected = [0] + [index.get(p, UNK_ID) for p in pieces] + [2]
        got = tokenizer(text)["input_ids"]
        # Ids past fairseq's vocabulary are pieces dict.txt lacks: fairseq's <unk>.
        folded = [UNK_ID if i >= n_symbols else i for i in got]
        if folded != expected:
            at = next((i for i, (a, b) in enumerate(zip(folded, expected)) if a != b),
                      min(len(folded), len(expected)))
            raise ParityError(path, f"token ids differ at position {at}: transformers "
                                    f"{folded[max(0, at - 2):at + 3]} vs fairseq {expected[max(0, at - 2):at + 3]}",
                              line)
    return len(reviews)


def check_weights(hf_model, fairseq_weights, n_symbols: int, atol: float) -> int:

    extra = hf_model.config.vocab_size - n_symbols
    state = hf_model.state_dict()
    mapping = weight_map(count_layers(fairseq_weights))
    for name, tensor in state.items():
        expected = expected_hf_tensor(name, fairseq_weights, extra)
        if expected is None:  # only the token-type table has no fairseq source
            if "token_type_embeddings" in name and float(tensor.abs().max()) > atol:
                raise ParityError(name, "token type embedding is not zero (fairseq has none)")
            continue
        if tuple(expected.shape) != tuple(tensor.shape):
            raise ParityError(name, f"shape {tuple(tensor.shape)} but fairseq {mapping[name]} gives {tuple(expected.shape)}")
        diff = float((tensor.float() - expected).abs().max())
        if diff > atol:
            raise ParityError(name, f"differs from fairseq {mapping[name]} by {diff:.3g} (max abs > {atol})")
    return len(state)


def parity_check(hf_dir, model_path, dict_path, spm_path, token_reviews, batch_reviews,
                 max_positions: int, atol: float = 1e-4) -> dict:
    """Run the three checks; the error names the first differing token, tensor or state."""
    import torch
    from transformers import AutoTokenizer, RobertaForMaskedLM


    check_hf_folder(hf_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(hf_dir))
    n_tokens = check_token_ids(tokenizer, spm_path, dict_path, token_reviews)
    hf_model = RobertaForMaskedLM.from_pretrained(str(hf_dir)).eval()
    encoder, weights, _ = fairseq_encoder(model_path, dict_path)
    n_symbols = encoder.sentence_encoder.embed_tokens.weight.shape[0]
    n_tensors = check_weights(hf_model, weights, n_symbols, atol)
    # fairseq's recipe truncates to max_positions tokens (the first ones).
    ids = [tokenizer(text)["input_ids"][:max_positions] for _, _, text in batch_reviews]
    width = max(map(len, ids))
    input_ids = torch.full((len(ids), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, seq in enumerate(ids):
        input_ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    # fairseq knows only its own ids; the extra ids are <unk> to it.
    fairseq_ids = input_ids.masked_fill(input_ids >= n_symbols, 3)
    worst = check_hidden_states(hf_model, encoder, input_ids, fairseq_ids, mask, atol)
    return {"reviews_tokenized": n_tokens, "tensors_compared": n_tensors,
            "batch_reviews": len(ids), "batch_tokens": int(mask.sum()),
            "last_hidden_max_abs_diff": worst, "atol": atol, "hf_dir": str(hf_dir)}


def check_hidden_states(hf_model, encoder, hf_ids, fairseq_ids, mask, atol: float) -> float:
    """Max abs difference of the last hidden states; raises at the first differing state."""
    import torch

    with torch.no_grad():
        _, extra = encoder.extract_features(fairseq_ids, return_all_hiddens=True)
        fairseq_states = [s.transpose(0, 1) for s in extra["inner_states"]]
        out = hf_model.roberta(input_ids=hf_ids, attention_mask=mask, output_hidden_states=True)
    real = mask.bool()
    hf_states = list(out.hidden_states)
    if len(hf_states) != len(fairseq_states):
        raise ParityError("hidden states", f"transformers gives {len(hf_states)} states, fairseq {len(fairseq_states)}")
    for i, (fs, hf) in enumerate(zip(fairseq_states, hf_states)):
        diff = float((fs[real] - hf[real]).abs().max())
        if diff > atol:
            name = "embeddings output (roberta.embeddings)" if i == 0 else \
                f"output of layer {i - 1} (roberta.encoder.layer.{i - 1})"
            raise ParityError("hidden states", f"{name} differs from fairseq by {diff:.3g} (max abs > {atol})")
    return float((out.last_hidden_state[real] - fairseq_states[-1][real]).abs().max())


def read_reviews(paths) -> list[tuple[str, int, str]]:

    return [(str(p), i, text) for p in paths for i, text in enumerate(read_lines(p), start=1)]
