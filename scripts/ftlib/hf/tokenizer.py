"""A HuggingFace tokenizer that gives exactly the ids fairseq's RoBERTa recipe gives.

fairseq's pipeline is: SentencePiece BPE pieces -> dict.txt index of each piece (unknown
pieces -> <unk>) -> ``<s> ids </s>``. The ids are dict.txt positions (4 specials first, then
dict.txt's lines, which fairseq-preprocess orders by frequency), not SentencePiece ids, so
SentencePiece's own id table cannot be reused as it is. We rebuild the same segmentation
with ``tokenizers``' BPE (SentencePiece BPE merges the adjacent pair whose merged piece
scores highest; the same order as merge ranks sorted by piece score) and give each piece
its dict.txt id. The workflow proves the result on the data (ftlib.hf.parity).
"""
from __future__ import annotations

from pathlib import Path

from ftlib.core import transformers_guard  # noqa: F401  (before transformers)
from ftlib.data.checks import load_dictionary
from ftlib.core.errors import InputError

# fairseq's Dictionary specials, in order, then <mask> after the dict.txt entries.
FAIRSEQ_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
MASK = "<mask>"
UNK_ID = 3
# SentencePiece piece types (sentencepiece_model.proto): normal, unknown, control, user-defined.
SPM_NORMAL, SPM_UNKNOWN, SPM_CONTROL, SPM_USER = 1, 2, 3, 4


def load_spm_proto(spm_path):
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    try:
        proto.ParseFromString(Path(spm_path).read_bytes())
    except FileNotFoundError:
        raise InputError(spm_path, "SentencePiece model is missing") from None
    except Exception as err:  # protobuf's DecodeError
        raise InputError(spm_path, f"not a SentencePiece model ({err})") from None
    if proto.trainer_spec.model_type != 2:  # 2 = BPE
        raise InputError(spm_path, "not a SentencePiece BPE model (the recipe's sentencepiece.bpe.model is BPE)")
    if proto.trainer_spec.byte_fallback or proto.trainer_spec.treat_whitespace_as_suffix:
        raise InputError(spm_path, "byte fallback / whitespace-as-suffix models are not supported")
    return proto


def load_fairseq_dictionary(dict_path) -> list[str]:
    """Symbols in fairseq index order: specials, dict.txt entries, <mask>."""
    return list(load_dictionary(dict_path).symbols)


def spm_merges(pieces: list[str]) -> list[tuple[str, str]]:
    """BPE merges of a SentencePiece BPE vocabulary, best first.

    SentencePiece scores its BPE pieces by creation order (score = -rank), so a merge
    ranks as the piece it creates; every split of a piece into two known pieces is a merge.
    """
    rank = {piece: i for i, piece in enumerate(pieces)}
    merges = []
    for piece in pieces:
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in rank and right in rank:
                merges.append((rank[piece], rank[left], rank[right], left, right))
    merges.sort()
    return [(left, right) for *_, left, right in merges]


def build_tokenizer(spm_path, dict_path):
    """A ``tokenizers.Tokenizer`` producing fairseq ids: ``<s> pieces </s>`` -> [0, ..., 2]."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import BPE

    proto = load_spm_proto(spm_path)
    symbols = load_fairseq_dictionary(dict_path)
    pieces = [p.piece for p in proto.pieces if p.type in (SPM_NORMAL, SPM_USER)]
    # BPE merges work on ids, so every piece needs an id of its own. fairseq maps a piece
    # that dict.txt lacks to <unk>; such pieces (mostly intermediate merge steps that never
    # ended a word in the pretraining text) get ids after <mask>, and the converted model
    # gives those ids copies of <unk>'s embedding (ftlib.hf.convert), so they compute what
    # fairseq computes. dict.txt entries that are not pieces (characters SentencePiece
    # leaves unknown but fairseq-preprocess counted) keep their ids: fairseq looks up
    # their surface too.
    vocab = {symbol: i for i, symbol in enumerate(symbols)}
    extra = [piece for piece in pieces if piece not in vocab]
    for piece in extra:
        vocab[piece] = len(vocab)
    model = BPE(vocab=vocab, merges=spm_merges(pieces), unk_token="<unk>", fuse_unk=True)
    tokenizer = Tokenizer(model)

    spec = proto.normalizer_spec
    steps = []
    if spec.precompiled_charsmap:  # the model's own normalization table (nmt_nfkc, ...)
        steps.append(normalizers.Precompiled(spec.precompiled_charsmap))
    if spec.remove_extra_whitespaces:
        steps += [normalizers.Strip(), normalizers.Replace(Regex(" {2,}"), " ")]
    if steps:
        tokenizer.normalizer = normalizers.Sequence(steps)
    # Words start with the whitespace mark "▁" (and the text gets one in front), as
    # SentencePiece's add_dummy_prefix and split_by_whitespace do.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always" if spec.add_dummy_prefix else "never", split=True)
    tokenizer.decoder = decoders.Metaspace(
        replacement="▁", prepend_scheme="always" if spec.add_dummy_prefix else "never", split=True)
    # fairseq's sentence_prediction: init token <s> first, </s> appended by preprocessing;
    # a pair is <s> A </s> </s> B </s> (separator token </s> before the second sentence).
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)])
    for special in FAIRSEQ_SPECIALS + [MASK]:
        tokenizer.add_special_tokens([special])
    return tokenizer, len(symbols), extra


def fast_tokenizer(spm_path, dict_path, max_length: int):
    """The transformers wrapper around build_tokenizer, ready for save_pretrained."""
    from transformers import PreTrainedTokenizerFast

    tokenizer, _, _ = build_tokenizer(spm_path, dict_path)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token=MASK,
        model_max_length=max_length,
    )


def fairseq_ids(processor, dictionary_index: dict, text: str, init_token: int = 0) -> list[int]:
    """The ids fairseq's recipe feeds the model: spm pieces -> dict.txt index, <s> ... </s>.

    Same as prepare_split + fairseq-preprocess (Dictionary.encode_line splits on
    whitespace, appends </s>) + sentence_prediction's --init-token.
    """
    pieces = " ".join(processor.encode(text, out_type=str)).split()
    return [init_token] + [dictionary_index.get(p, UNK_ID) for p in pieces] + [2]
