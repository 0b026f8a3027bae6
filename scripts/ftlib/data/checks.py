"""Checks of the labelled splits and of a fairseq checkpoint, run before any training."""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError


def read_lines(path) -> list[str]:
    """Lines of a UTF-8 text file without their line ends (and without a byte-order mark); a
    missing file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file is missing")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a Windows editor's byte-order mark is not text
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(path, "not valid UTF-8 text", line) from None
    return text.splitlines()


def json_object(line: str, path, number: int) -> dict:
    """One line of a JSONL file as a dict; anything else an InputError naming the file and line."""
    import json

    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(path, f"not JSON ({err.msg})", number) from None
    if not isinstance(row, dict):
        raise InputError(path, "not a JSON object", number)
    return row


def check_labelled_split(review_path, label_path, label_set) -> tuple[list[str], list[str]]:
    """Reviews and labels of one split, after checking that they pair up line by line.

    Stops at the first problem: an empty split, an empty review, a label outside
    ``label_set``, or files of different lengths (naming the first unpaired line).
    """
    reviews, labels = read_lines(review_path), read_lines(label_path)
    if not reviews:
        raise InputError(review_path, "empty split: no reviews")
    if not labels:
        raise InputError(label_path, "empty split: no labels")
    allowed = [str(label) for label in label_set]
    for number, label in enumerate(labels, start=1):
        if label.strip() not in allowed:
            raise InputError(
                label_path, f"label {label!r} is not in the label set {{{', '.join(allowed)}}}", number
            )
    for number, review in enumerate(reviews, start=1):
        if not review.strip():
            raise InputError(review_path, "empty review", number)
    if len(reviews) != len(labels):
        shorter, longer = (
            (label_path, review_path) if len(labels) < len(reviews) else (review_path, label_path)
        )
        first_unpaired = min(len(reviews), len(labels)) + 1
        raise InputError(
            longer,
            f"has {max(len(reviews), len(labels))} lines but {shorter} has "
            f"{min(len(reviews), len(labels))}: this line has no partner",
            first_unpaired,
        )
    return reviews, [label.strip() for label in labels]


# fairseq maps a piece missing from dict.txt to <unk>: a few rare ones are normal, a large share
# means a SentencePiece model and a dict.txt that do not belong together (every review half <unk>).
MAX_MISSING_PIECES = 0.05


def check_pieces_in_dictionary(encoded_lines, spm_path, dict_path) -> float:
    """Share of the SentencePiece pieces of ``encoded_lines`` that dict.txt lacks; above
    MAX_MISSING_PIECES an InputError naming both files."""
    known = {line.split(" ", 1)[0] for line in read_lines(dict_path) if line.strip()}
    pieces = [piece for line in encoded_lines for piece in line.split()]
    missing = sum(piece not in known for piece in pieces) / max(len(pieces), 1)
    if missing > MAX_MISSING_PIECES:
        raise InputError(spm_path, f"{missing:.0%} of the pieces it cuts the reviews into are not in {dict_path} "
                                   f"(at most {MAX_MISSING_PIECES:.0%} expected): the SentencePiece model and "
                                   "the dictionary do not belong together")
    return missing


def load_dictionary(dict_path, add_mask: bool = True):
    """fairseq's Dictionary of dict.txt as RoBERTa builds it (4 specials, the entries, <mask>);
    a missing or malformed file is an InputError."""
    from fairseq.data import Dictionary

    if not Path(dict_path).is_file():
        raise InputError(dict_path, "dictionary is missing")
    try:
        dictionary = Dictionary.load(str(dict_path))
    except Exception as err:  # fairseq raises ValueError/RuntimeError on malformed lines
        raise InputError(dict_path, f"not a fairseq dictionary ({err})") from None
    if add_mask:
        dictionary.add_symbol("<mask>")
    return dictionary


def dictionary_size(dict_path, add_mask: bool = True) -> int:
    """Vocabulary size fairseq builds from dict.txt (4 specials, the entries, <mask>)."""
    return len(load_dictionary(dict_path, add_mask))


def load_checkpoint_file(model_path):
    """torch.load of a fairseq checkpoint on CPU; missing or unreadable files are InputErrors."""
    import torch

    if not Path(model_path).is_file():
        raise InputError(model_path, "checkpoint is missing")
    try:
        # Trusted local file (built by this workflow or placed by the user): fairseq
        # checkpoints pickle an argparse.Namespace, which weights_only=True rejects.
        return torch.load(model_path, map_location="cpu", weights_only=False)
    except Exception as err:
        raise InputError(model_path, f"cannot be loaded as a torch checkpoint ({type(err).__name__})") from None


def arch_shape(arch: str, max_positions: int) -> dict:
    """The shape a fairseq architecture of this project builds (its registered defaults), in
    check_fairseq_checkpoint's terms; positions: the position table's rows (fairseq's learned
    positions keep 2 more rows than max_positions: the padding offset)."""
    import argparse

    import fairseq_plugin  # noqa: F401  (registers roberta_small and roberta_demo)
    from fairseq.models import ARCH_CONFIG_REGISTRY

    args = argparse.Namespace(max_positions=max_positions)
    ARCH_CONFIG_REGISTRY[arch](args)
    return {"embed_dim": args.encoder_embed_dim, "layers": args.encoder_layers,
            "ffn_dim": args.encoder_ffn_embed_dim, "positions": max_positions + 2}


def check_fairseq_checkpoint(model_path, dict_path, arch: str | None = None, max_positions: int | None = None,
                             where: str = "the recipe") -> dict:
    """Load a fairseq RoBERTa checkpoint on CPU and check it fits dict.txt, and (``arch`` given)
    that it has the shape of that architecture with a table of ``max_positions`` positions, so
    that a checkpoint of another shape stops here in one line, not inside fairseq-train.

    Returns a summary (vocabulary size, embedding dim, layers, FFN dim, positions) for the log.
    """
    model_path = Path(model_path)
    state = load_checkpoint_file(model_path)
    weights = state.get("model") if isinstance(state, dict) else None
    if not isinstance(weights, dict):
        raise InputError(model_path, "not a fairseq checkpoint (no 'model' state dict)")
    key = next((k for k in weights if k.endswith("sentence_encoder.embed_tokens.weight")), None)
    if key is None:
        raise InputError(model_path, "not a RoBERTa checkpoint (no sentence_encoder.embed_tokens.weight)")
    rows, dim = weights[key].shape
    expected = dictionary_size(dict_path)
    if rows != expected:
        raise InputError(
            model_path,
            f"embedding has {rows} rows but {dict_path} gives a vocabulary of {expected} "
            "(4 specials + entries + <mask>): checkpoint and dictionary do not belong together",
        )
    layers = {k.split(".layers.")[1].split(".")[0] for k in weights if ".layers." in k}
    fc1 = next((w for k, w in weights.items() if k.endswith("layers.0.fc1.weight")), None)
    positions = next((w for k, w in weights.items() if k.endswith("sentence_encoder.embed_positions.weight")), None)
    summary = {"vocab_size": int(rows), "embed_dim": int(dim), "layers": len(layers),
               "ffn_dim": None if fc1 is None else int(fc1.shape[0]),
               "positions": None if positions is None else int(positions.shape[0])}
    if arch is not None:
        wanted = arch_shape(arch, max_positions)
        for name, value in wanted.items():
            if summary[name] != value:
                raise InputError(
                    model_path,
                    f"{name.replace('_', ' ')} is {summary[name]} but {where} (arch {arch}, max_positions "
                    f"{max_positions}) needs {value}: the checkpoint does not have the configured shape",
                )
    return summary
