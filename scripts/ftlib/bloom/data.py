"""The FAQ of the BLOOM branch: reading and checking question/answer pairs, the prompt format,
the train/held-out split, the demo's French pretraining documents, and the token F1 of an answer
against its reference."""
from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

from ftlib.core.errors import InputError

PROMPT = "<human>: {question}\n<assistant>:"
ANSWER = " {answer}"


def prompt_of(question: str) -> str:
    """What the model sees at generation time; the answer follows it."""
    return PROMPT.format(question=question)


def training_text(question: str, answer: str) -> str:
    """`<human>: {question}\\n<assistant>: {answer}` (the tokenizer's EOS is appended as a token)."""
    return prompt_of(question) + ANSWER.format(answer=answer)


def read_faq(path) -> list[dict]:
    """Question/answer pairs from a JSON list, or from {"questions": [...]} (the published file's
    layout). Any entry without a non-empty question and answer is named in a one-line error."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a byte-order mark is not JSON
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"cannot read the FAQ ({err})") from None
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err.msg} at column {err.colno})", line=err.lineno) from None
    if isinstance(data, dict):
        data = data.get("questions", data.get("data"))
    if not isinstance(data, list) or not data:
        raise InputError(path, "expected a non-empty list of {\"question\", \"answer\"} entries "
                               "(or {\"questions\": [...]})")
    pairs = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise InputError(path, f"entry {i}: not an object with question/answer fields")
        for field in ("question", "answer"):
            if field not in entry:
                raise InputError(path, f"entry {i}: no '{field}' field")
            if not isinstance(entry[field], str) or not entry[field].strip():
                raise InputError(path, f"entry {i}: empty {field}")
        pairs.append({"question": entry["question"].strip(), "answer": entry["answer"].strip()})
    return pairs


def split_faq(pairs: list[dict], heldout_size: int, seed: int, path="FAQ") -> tuple[list, list]:
    """A seeded shuffle, then the first `heldout_size` pairs are held out (never trained on,
    never in the demo's pretraining text)."""
    if not 0 < heldout_size < len(pairs):
        raise InputError(path, f"{len(pairs)} pairs cannot give {heldout_size} held-out questions "
                               "and a non-empty training set")
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    heldout = sorted(order[:heldout_size])
    keep = sorted(order[heldout_size:])
    return [dict(pairs[i], index=i) for i in keep], [dict(pairs[i], index=i) for i in heldout]


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8-sig").splitlines() if line.strip()]


# Plain French sentences on the FAQ's topics, for the demo's causal-LM pretraining: enough
# language for "before fine-tuning" to mean a model that writes French, not one that answers.
_SUBJECTS = ["Votre commande", "Le colis", "Votre retour", "Le remboursement", "La livraison",
             "Votre paiement", "Votre compte", "La facture", "Le service client", "La carte cadeau"]
_VERBS = ["est disponible", "est expédié", "est confirmé", "est traité", "est enregistré",
          "est préparé", "est validé", "est suivi"]
_WHEN = ["sous 24 heures", "en 3 à 5 jours ouvrés", "dès la réception", "avant la fin de la semaine",
         "dans la rubrique Mes commandes", "par e-mail", "depuis votre compte", "le jour même"]
_ITEMS = ["une robe", "un pantalon", "des chaussures", "un manteau", "un sac", "une montre",
          "un livre", "une lampe", "un téléphone", "une veste"]
_FACTS = ["Nous livrons {item} en point relais ou à domicile.",
          "Vous pouvez retourner {item} sous 30 jours.",
          "Le client a commandé {item} sur le site.",
          "Le paiement de {item} se fait par carte bancaire ou par PayPal.",
          "La livraison de {item} est offerte dès 50 euros d'achat.",
          "Il est possible d'échanger {item} contre une autre taille."]


def demo_sentences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_WHEN)}.")
        else:
            out.append(rng.choice(_FACTS).format(item=rng.choice(_ITEMS)))
    return out


def demo_pretraining_documents(train_pairs: list[dict], n_sentences: int, doc_sentences: int,
                               seed: int) -> list[str]:
    """Running text for the demo's causal-LM pretraining, as a real LM's data is: documents of
    `doc_sentences` units each (the last one shorter), each document one line of plain text. A
    unit is a TRAINING pair, its question followed by its answer as on an FAQ page (no prompt
    format: the base model should not know it), or a generated sentence; the units are shuffled.
    Held-out questions never appear (their answers may: a held-out question that paraphrases a
    training one shares its answer). EOS goes at document ends only (ftlib.bloom.model.document_stream)."""
    units = [f"{p['question']} {p['answer']}" for p in train_pairs] + demo_sentences(n_sentences, seed)
    random.Random(seed).shuffle(units)
    return [" ".join(units[i:i + doc_sentences]) for i in range(0, len(units), doc_sentences)]


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def answer_words(text: str) -> list[str]:
    """SQuAD-style normalization for French: lowercased, punctuation (apostrophes and hyphens
    included) replaced by spaces, split on whitespace. English articles are not removed."""
    return _PUNCTUATION.sub(" ", text.lower()).split()


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD's token F1: the harmonic mean of the precision and recall of the prediction's words
    against the reference's (a multiset: a word counts at most as often as in both); 1.0 when
    both are empty, 0.0 when only one is."""
    pred, ref = answer_words(prediction), answer_words(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)
