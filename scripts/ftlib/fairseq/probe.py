"""Does a checkpoint carry the signal before any fine-tuning? Two measurements that say why
pretraining helps (or does not):

- a frozen-feature probe: logistic regression on the encoder's sentence representation
  (final layer, mean-pooled over the review's tokens; the ``<s>`` output beside it) of the
  pretrained checkpoint and of a random-init encoder of the same shape, trained on the
  labelled train split, accuracy on test. The encoder is never updated: what the probe finds
  is what the masked LM learned from unlabelled text;
- (demo) fill-mask agreement: in "X est w1. Y est <mask>. Z est w2." with w1, w2 of one
  polarity, the probability the masked LM gives the opinion words of that polarity among all
  opinion words. 0.5 = no agreement learned; near 1 = it has learned which words go together.
"""
from __future__ import annotations

import random
from pathlib import Path

from ftlib.data.checks import read_lines
from ftlib.core.errors import InputError
from ftlib.core.seeding import seed_everything


def encode_split(prepared_dir, split: str, dictionary, init_token: int, max_positions: int,
                 separator_token: int = 2):
    """Token ids of a prepared split as sentence_prediction feeds them: <s> + fairseq-preprocess's
    ids of the SentencePiece pieces + </s> (a pair task: then the separator, the second text's ids
    and </s>), truncated to max_positions; and the labels."""
    def ids(line):
        return dictionary.encode_line(line, append_eos=True, add_if_not_exist=False).long().tolist()

    pieces = read_lines(Path(prepared_dir) / f"{split}.spm.review")
    second = Path(prepared_dir) / f"{split}.spm.review2"
    seconds = read_lines(second) if second.is_file() else [None] * len(pieces)
    labels = read_lines(Path(prepared_dir) / f"{split}.label")
    tokens = []
    for line, line2 in zip(pieces, seconds):
        pair = [separator_token] + ids(line2) if line2 is not None else []
        tokens.append(([init_token] + ids(line) + pair)[:max_positions])
    return tokens, [label.strip() for label in labels]


def encode_probe_splits(prepared_dir, dictionary, hp: dict) -> dict:
    """{"train": (tokens, labels), "test": (tokens, labels)}: what the probe trains and tests on."""
    return {split: encode_split(prepared_dir, split, dictionary, hp["init_token"], hp["max_positions"],
                                hp["separator_token"])
            for split in ("train", "test")}


def random_encoder(args, dictionary, seed: int):
    """A RobertaEncoder of the checkpoint's shape with fairseq's initialisation (what the scratch
    init starts from), eval mode."""
    import torch
    from fairseq.models.roberta.model import RobertaEncoder
    from fairseq.modules.transformer_sentence_encoder import init_bert_params

    seed_everything(seed)
    with torch.no_grad():
        encoder = RobertaEncoder(args, dictionary)
        encoder.apply(init_bert_params)  # as RobertaModel.__init__ does
    return encoder.eval()


def sentence_features(encoder, tokens: list[list[int]], pad: int, batch_size: int = 64):
    """Final-layer features of each review: mean over its tokens, and the <s> position."""
    import numpy as np
    import torch

    mean, first = [], []
    with torch.no_grad():
        for start in range(0, len(tokens), batch_size):
            batch = tokens[start:start + batch_size]
            width = max(len(t) for t in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            for i, t in enumerate(batch):
                ids[i, :len(t)] = torch.tensor(t)
            states, _ = encoder(ids, features_only=True)
            keep = (ids != pad).unsqueeze(-1).float()
            mean.append(((states * keep).sum(1) / keep.sum(1)).numpy())
            first.append(states[:, 0].numpy())
    return np.concatenate(mean), np.concatenate(first)


def logistic_probe(train_x, train_y, test_x, test_y, seed: int = 0) -> tuple[float, list]:
    """Accuracy (%) of a logistic regression on standardized features, and its test predictions."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, random_state=seed))
    clf.fit(train_x, train_y)
    predicted = clf.predict(test_x)
    return 100.0 * int(np.sum(predicted == np.asarray(test_y))) / len(test_y), predicted.tolist()


def probe_encoder(encoder, splits: dict, pad: int) -> dict:
    """Probe accuracies of one encoder: {pooling: (accuracy, test predictions)}."""
    (train_tokens, train_y), (test_tokens, test_y) = splits["train"], splits["test"]
    train_mean, train_first = sentence_features(encoder, train_tokens, pad)
    test_mean, test_first = sentence_features(encoder, test_tokens, pad)
    return {"mean": logistic_probe(train_mean, train_y, test_mean, test_y),
            "first": logistic_probe(train_first, train_y, test_first, test_y)}


def opinion_piece_ids(processor, dictionary, words: list[str], source) -> list[int]:
    """dict.txt ids of the opinion words, each of which must be one SentencePiece piece."""
    ids = []
    for word in words:
        pieces = processor.encode(word, out_type=str)
        if len(pieces) != 1:
            raise InputError(source, f"opinion word {word!r} is {len(pieces)} pieces {pieces}, not one: "
                                     "the fill-mask check needs whole-word pieces")
        index = dictionary.index(pieces[0])
        if index == dictionary.unk():
            raise InputError(source, f"opinion word piece {pieces[0]!r} is not in dict.txt")
        ids.append(index)
    return ids


def fill_mask_agreement(encoder, processor, dictionary, positive: list[str], negative: list[str],
                        subjects: list[str], aspects: list[str], spm_path, n: int = 200, seed: int = 0) -> dict:
    """Mean probability of the context's polarity among the opinion words at a masked opinion
    slot, for positive and for negative contexts (each n random sentences). ``spm_path``: the
    SentencePiece model ``processor`` was loaded from, named when a word is not one piece."""
    import torch

    pos_ids = opinion_piece_ids(processor, dictionary, positive, spm_path)
    neg_ids = opinion_piece_ids(processor, dictionary, negative, spm_path)
    rng = random.Random(seed)
    result = {}
    for name, words, other in (("positive", positive, negative), ("negative", negative, positive)):
        # the slot holds a word of the other polarity, found once in the sentence, then masked
        placeholder = processor.encode(other[0], out_type=str)[0]
        p_pos = []
        for _ in range(n):
            text = (f"{rng.choice(subjects)} est {rng.choice(words)}. {rng.choice(aspects).capitalize()} "
                    f"est {other[0]}. {rng.choice(aspects).capitalize()} est {rng.choice(words)}.")
            pieces = processor.encode(text, out_type=str)
            ids = [0] + [dictionary.index(p) for p in pieces] + [dictionary.eos()]
            position = 1 + pieces.index(placeholder)
            ids[position] = dictionary.index("<mask>")
            with torch.no_grad():
                logits, _ = encoder(torch.tensor([ids]))
            probs = torch.softmax(logits[0, position, pos_ids + neg_ids], dim=-1)
            p_pos.append(float(probs[: len(pos_ids)].sum()))
        result[f"p_positive_in_{name}_context"] = sum(p_pos) / len(p_pos)
    result["agreement"] = 0.5 * (result["p_positive_in_positive_context"]
                                 + 1 - result["p_positive_in_negative_context"])
    return result
