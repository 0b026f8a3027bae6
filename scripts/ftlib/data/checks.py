"""Checks of the labelled splits and of a fairseq checkpoint, run before any training."""
from __future__ import annotations

from pathlib import Path

from ftlib.core.errors import InputError


def read_lines(path) -> list[str]:
    """Lines of a UTF-8 text file without their line ends; a missing file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file is missing")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(path, "not valid UTF-8 text", line) from None
    return text.splitlines()


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


def check_fairseq_checkpoint(model_path, dict_path) -> dict:
    """Load a fairseq RoBERTa checkpoint on CPU and check it fits dict.txt.

    Returns a summary (vocabulary size, embedding dim, layers) for the log.
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
    return {"vocab_size": int(rows), "embed_dim": int(dim), "layers": len(layers)}
