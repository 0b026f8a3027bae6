"""The BLOOM branch: exact parameter accounting (bloom-560m from its configuration on the meta
device, the demo model), the shipped FAQ, the demo's pretraining stream, token F1, the reduced
demo run read back from its own files, bad FAQ input, and the 4-bit CUDA path where CUDA is
present."""
import json
import re
from pathlib import Path

import pytest
import torch
import yaml

from conftest import REPO, error_lines, make_workdir, run_snakemake
from ftlib.bloom.data import demo_pretraining_documents, read_faq, split_faq, token_f1
from ftlib.accounting.bloom import account, formulas
from ftlib.core.errors import InputError

FULL_CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())
CONFIG = FULL_CONFIG["bloom"]
LORA = CONFIG["lora"]


def test_bloom_560m_counts_from_its_configuration_are_exact():
    shape = FULL_CONFIG["peft"]["architectures"][CONFIG["reference_model"]]
    assert shape == {"family": "bloom", "vocab_size": 250880, "hidden_size": 1024, "num_layers": 24, "num_heads": 16}
    row = account(shape, LORA)  # counted on the meta device; raises if a formula disagrees
    c = row["counted"]
    assert c["full"] == 559_214_592
    assert (c["trainable_4bit"], c["all_4bit"]) == (257_003_520, 408_219_648)
    assert (c["lora_trainable"], c["all_4bit_lora"]) == (1_572_864, 409_792_512)
    assert c["lora_trainable"] == 24 * 16 * (1024 + 3072)
    assert row["lines"]["4bit_lora"] == ("trainable params: 1,572,864 || all params: 409,792,512 || "
                                         "trainable: 0.384 %")
    assert formulas(shape, LORA) == c


@pytest.mark.parametrize("lora", [dict(LORA, bias="lora_only"), dict(LORA, bias="all"),
                                  dict(LORA, target_modules=["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"])])
def test_bloom_counts_with_other_lora_settings_grow_by_the_matrices_alone(lora):
    shape = FULL_CONFIG["peft"]["architectures"][CONFIG["reference_model"]]
    c = account(shape, lora)["counted"]  # raises if a formula disagrees
    plain = account(shape, dict(LORA, bias="none"))["counted"]
    h, L = shape["hidden_size"], shape["num_layers"]
    fans = {"query_key_value": (h, 3 * h), "dense": (h, h), "dense_h_to_4h": (h, 4 * h), "dense_4h_to_h": (4 * h, h)}
    added = L * lora["r"] * sum(sum(fans[m]) for m in lora["target_modules"])  # r·(in + out) per matrix
    assert c["all_lora_unquantized"] == c["full"] + added and c["all_4bit_lora"] == c["all_4bit"] + added
    if lora.get("bias", "none") != "none":  # biases that were there train: the total does not grow
        assert c["lora_trainable"] > plain["lora_trainable"] and c["all_4bit_lora"] == plain["all_4bit_lora"]


def test_the_shipped_demo_faq_is_valid_and_large_enough():
    pairs = read_faq(REPO / CONFIG["demo"]["faq"])
    assert len(pairs) >= 60
    train, heldout = split_faq(pairs, CONFIG["demo"]["heldout_size"], CONFIG["demo"]["split_seed"])
    assert len(heldout) == CONFIG["demo"]["heldout_size"]
    assert not {p["question"] for p in train} & {p["question"] for p in heldout}
    # every held-out question paraphrases a training one (same answer), the held-out questions are
    # on different topics, and each topic (answer) is asked at most three ways
    assert {p["answer"] for p in heldout} <= {p["answer"] for p in train}
    assert len({p["answer"] for p in heldout}) == len(heldout)
    assert len({p["answer"] for p in pairs}) >= len(pairs) / 3


# --- token F1 (SQuAD's, on lowercased words with punctuation stripped) -------------------------

@pytest.mark.parametrize("prediction, reference, expected", [
    ("Oui, la livraison est OFFERTE.", "oui la livraison est offerte", 1.0),
    # common {colis, arrive}: precision 2/6, recall 2/6
    ("Le colis arrive sous 24 heures.", "Votre colis arrive en 3 jours.", 1 / 3),
    # a word counts at most as often as in both: common {le, colis}, precision 2/4, recall 2/2
    ("le le le colis", "Le colis", 2 / 3),
    # apostrophes split words: [l, étiquette, de, retour] vs [imprimez, l, étiquette]; P 2/4, R 2/3
    ("l'étiquette de retour", "Imprimez l'étiquette.", 4 / 7),
    ("Paiement refusé", "Le colis est livré", 0.0),
    ("", "Le colis est livré", 0.0),
    ("...", "!", 1.0),  # both empty once punctuation is stripped
])
def test_token_f1_on_hand_computed_examples(prediction, reference, expected):
    assert token_f1(prediction, reference) == pytest.approx(expected, abs=1e-12)


# --- the demo's pretraining text: running text, EOS only at document ends --------------------

def test_pretraining_stream_has_eos_only_at_document_ends():
    from ftlib.bloom.model import document_stream, train_tokenizer

    pairs = read_faq(REPO / CONFIG["demo"]["faq"])
    train, heldout = split_faq(pairs, CONFIG["demo"]["heldout_size"], CONFIG["demo"]["split_seed"])
    docs = demo_pretraining_documents(train, 30, 5, 0)
    assert len(docs) == -(-(len(train) + 30) // 5)  # groups of 5 units: several sentences each
    assert all(doc.count(".") + doc.count("?") >= 5 for doc in docs[:-1])
    text = "\n".join(docs)
    assert all(p["question"] in text for p in train)
    assert not any(p["question"] in text for p in heldout)
    tokenizer = train_tokenizer(docs, 300)
    eos = tokenizer.eos_token_id
    ids = document_stream(tokenizer, docs)
    ends, position = [], -1
    for doc in docs:
        position += len(tokenizer(doc, add_special_tokens=False)["input_ids"]) + 1
        ends.append(position)
    assert [i for i, t in enumerate(ids) if t == eos] == ends
    assert ends[-1] == len(ids) - 1
    pieces = tokenizer.decode(ids).split(tokenizer.eos_token)
    assert pieces == docs + [""]


# --- the reduced demo (tests/configs/demo_small.yaml), the BLOOM branch alone, run once -------

@pytest.fixture(scope="session")
def bloom_run(demo_run) -> Path:
    """The reduced demo, whose `all` includes the BLOOM report."""
    return demo_run


@pytest.fixture(scope="module")
def bloom(bloom_run):
    demo_run = bloom_run
    run = demo_run / "runs/demo/bloom"
    return {"dir": demo_run, "metrics": json.loads((run / "metrics.json").read_text()),
            "generations": json.loads((run / "generations.json").read_text()),
            "report": (demo_run / "reports/demo/bloom_report.md").read_text(),
            "params": json.loads((demo_run / "reports/demo/bloom_parameters.json").read_text())}


def test_demo_lora_trainable_count_equals_the_formula(bloom):
    config = json.loads((bloom["dir"] / "models/demo/bloom_base/config.json").read_text())
    L, h, r = config["n_layer"], config["hidden_size"], LORA["r"]
    expected = L * r * (h + 3 * h)
    assert bloom["metrics"]["counts"]["lora"]["trainable"] == expected  # measured on the trained model
    assert bloom["params"]["demo"]["counted"]["lora_trainable"] == expected  # meta device
    full = config["vocab_size"] * h + 4 * h + L * (12 * h * h + 13 * h)
    assert bloom["params"]["demo"]["counted"]["full"] == full
    if bloom["metrics"]["quantized"]:  # measured "all" under 4-bit packing, with LoRA
        assert bloom["metrics"]["counts"]["lora"]["all"] == full - L * 6 * h * h + expected


def test_reduced_demo_heldout_loss_goes_down(bloom):
    m = bloom["metrics"]
    assert m["after"]["heldout_loss"] < m["before"]["heldout_loss"]
    curve = [e["heldout_loss"] for e in m["heldout_curve"]]
    assert [e["step"] for e in m["heldout_curve"]] == [5, 10, 15, 20]  # eval_every 5, 20 steps
    assert curve[-1] == pytest.approx(m["after"]["heldout_loss"], rel=1e-6)
    assert len(m["train_curve"]) == m["hp"]["max_steps"] == 20


def test_generation_before_and_after_is_recorded(bloom):
    g, m = bloom["generations"], bloom["metrics"]
    assert len(g["before"]) == len(g["after"]) == m["n_heldout"] == 6
    for stage in ("before", "after"):
        assert all(0 < a["new_tokens"] <= 16 for a in g[stage])
        ended = sum(a["ended_with_eos"] for a in g[stage]) / len(g[stage])
        assert m[stage]["eos_rate"] == ended
        f1 = [token_f1(a["answer"], a["reference"]) for a in g[stage]]
        assert [a["token_f1"] for a in g[stage]] == pytest.approx(f1)
        assert m[stage]["token_f1"] == pytest.approx(sum(f1) / len(f1))
        assert m[stage]["distinct_answers"] == len({a["answer"] for a in g[stage]})
    # pretrained on running text (EOS at document ends only), the untuned base runs on
    assert m["before"]["eos_rate"] <= 1 / 6
    # the shipped FAQ's held-out questions are paraphrases of training ones
    assert m["heldout_answer_in_training"] == [a["index"] for a in g["before"]]
    heldout = [json.loads(line) for line in (bloom["dir"] / "data/demo/bloom/heldout.jsonl").read_text().splitlines()]
    assert [a["question"] for a in g["after"]] == [p["question"] for p in heldout]


def test_report_numbers_are_read_back_from_the_run(bloom):
    m, report = bloom["metrics"], bloom["report"]
    n = m["n_heldout"]
    for stage in ("before", "after"):
        s = m[stage]
        row = (f"| {stage} | {s['heldout_loss']:.3f} | {s['heldout_perplexity']:.1f} | "
               f"{round(s['eos_rate'] * n)}/{n} ")
        assert row in report
        assert re.search(re.escape(row) + rf"[^\n]*\| {s['distinct_answers']}/{n} \| {s['token_f1']:.3f} \|\n", report)
    assert f"{n} of the {n} held-out questions are paraphrases of a training question" in report
    for b, a in zip(bloom["generations"]["before"], bloom["generations"]["after"]):
        assert f" | {b['token_f1']:.2f} | " in report and f" | {a['token_f1']:.2f} |" in report
    assert f"wall time {m['wall_seconds']:.0f} s" in report
    assert f"peak RSS {m['peak_rss_mb']:.0f} MB" in report
    assert f"**path: {m['path']}**" in report
    assert m["path"].startswith(("4-bit NF4 base", "unquantized fp32 base"))
    if m["quantized"] and not m["cuda"]:  # the config's auto: bf16 only where this CPU multiplies it
        from ftlib.bloom.model import native_bf16_cpu
        assert m["compute_dtype"] == ("bfloat16" if native_bf16_cpu() else "float32")
        assert f"{m['compute_dtype']} compute: auto: this CPU" in m["path"]
    assert "`trainable params: 1,572,864 || all params: 409,792,512 || trainable: 0.384 %`" in report
    for answer in bloom["generations"]["after"]:
        assert answer["question"].split()[0] in report
    png = bloom["dir"] / "reports/demo/bloom_loss.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert len((bloom["dir"] / "reports/demo/bloom_answers.tsv").read_text().splitlines()) == n + 1


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ('[{"question": "Q ?", "answer": "A."},\n {"question": "Q2 ?" "answer": "B."}]',
     r"bad\.json:2: not valid JSON"),
    ('[{"question": "Q ?", "answer": "A."}, {"question": "Q2 ?"}]', r"entry 1: no 'answer' field"),
    ('{"questions": [{"question": "Q ?", "answer": "   "}]}', r"entry 0: empty answer"),
    ('[{"question": "Q ?", "answer": "A."}, ["Q2", "B"]]', r"entry 1: not an object"),
    ('{"foo": 1}', r"expected a non-empty list"),
])
def test_bad_faq_is_one_line_naming_the_entry(tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_faq(path)
    assert re.search(expected, str(err.value)) and "\n" not in str(err.value)


def test_a_prompt_longer_than_the_context_is_refused_before_training(bloom):
    from transformers import AutoTokenizer

    from ftlib.bloom.train import encode_pairs

    tokenizer = AutoTokenizer.from_pretrained(bloom["dir"] / "models/demo/bloom_base")
    pairs = [{"index": 0, "question": "Q ?", "answer": "Court."},
             {"index": 7, "question": "Comment retourner un article ?", "answer": "Très long. " * 40}]
    with pytest.raises(InputError, match=r"^heldout\.jsonl: entry 7: prompt and answer are \d+ tokens, "
                                         r"longer than the model's context of 64"):
        encode_pairs(tokenizer, pairs, 64, "heldout.jsonl")
    assert encode_pairs(tokenizer, pairs[:1], 64, "x")[0]["input_ids"][-1] == tokenizer.eos_token_id


def test_bad_faq_stops_the_workflow_with_one_line_and_no_outputs(tmp_path):
    workdir = make_workdir(tmp_path / "wd")
    bad = tmp_path / "faq.json"
    bad.write_text('[{"question": "Où est mon colis ?", "answer": ""}]', encoding="utf-8")
    configfile = tmp_path / "bad_faq.yaml"
    configfile.write_text(yaml.safe_dump({"tasks": ["demo"], "bloom": {"demo": {"faq": str(bad)}}}))
    proc = run_snakemake(workdir, "data/demo/bloom/train.jsonl", configfile=str(configfile), check=False)
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert errors == [f"ERROR: {bad}: entry 0: empty answer (log: logs/demo/prepare_bloom_faq.log)"], errors
    assert not (workdir / "data/demo/bloom").exists() or not any((workdir / "data/demo/bloom").iterdir())


# --- the 4-bit path on CUDA -------------------------------------------------------------------

def test_4bit_nf4_lora_on_cuda(tmp_path):
    import torch

    if not torch.cuda.is_available():
        print("SKIPPED test_4bit_nf4_lora_on_cuda: CUDA is not available on this machine")
        pytest.skip("CUDA is not available: the 4-bit CUDA path (paged_adamw_8bit) needs a GPU")
    from peft import prepare_model_for_kbit_training
    from transformers import BloomConfig, BloomForCausalLM

    from ftlib.bloom.model import four_bit_support, load_base
    from ftlib.peft import apply_method
    from ftlib.accounting.bloom import count
    from ftlib.bloom.train import choose_optimizer

    ok, why = four_bit_support()
    assert ok, why
    shape = {"vocab_size": 512, "hidden_size": 64, "n_layer": 2, "n_head": 4}
    BloomForCausalLM(BloomConfig(**shape)).save_pretrained(tmp_path / "tiny")
    model = load_base(str(tmp_path / "tiny"), True, CONFIG["quantization"])
    assert type(model.transformer.h[0].self_attention.query_key_value).__name__ == "Linear4bit"
    model = apply_method(prepare_model_for_kbit_training(model), {"kind": "lora", **LORA})
    arch = {"family": "bloom", "vocab_size": 512, "hidden_size": 64, "num_layers": 2, "num_heads": 4}
    assert count(model)[0] == formulas(arch, LORA)["lora_trainable"]
    assert choose_optimizer("paged_adamw_8bit") == "paged_adamw_8bit"
    x = torch.randint(0, 512, (1, 16), device="cuda")
    model(input_ids=x, labels=x).loss.backward()


def test_auto_compute_dtype_is_bf16_only_where_the_hardware_multiplies_it(monkeypatch):
    from ftlib.bloom import model

    q = dict(CONFIG["quantization"], compute_dtype="auto")
    for native, expected in ((True, "bfloat16"), (False, "float32")):
        monkeypatch.setattr(model, "native_bf16_cpu", lambda native=native: native)
        dtype, why = model.compute_dtype(q, cuda=False)
        assert dtype == expected and why.startswith("auto: this CPU")
        assert model.bnb_config(q, cuda=False).bnb_4bit_compute_dtype == getattr(torch, expected)
    for bf16, expected in ((True, "bfloat16"), (False, "float16")):
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True, bf16=bf16: bf16 and not including_emulation)
        assert model.compute_dtype(q, cuda=True)[0] == expected
    assert model.compute_dtype(dict(q, compute_dtype="bfloat16"), cuda=False) == ("bfloat16", "set in config")


def test_the_real_base_model_is_fetched_by_a_local_rule_and_offline_says_what_to_place(tmp_path):
    work = make_workdir(tmp_path / "work")
    dry = run_snakemake(work, "-n", "runs/real/bloom/metrics.json", "--config", "mode=real", configfile=None)
    assert "rule fetch_bloom_base:" in dry.stdout  # before the (GPU) fine-tuning job, which loads it from disk
    proc = run_snakemake(work, "models/real/bloom_base", "--config", "mode=real", configfile=None, check=False)
    assert proc.returncode != 0
    (line,) = error_lines(proc)  # this machine reaches no model hub
    assert line.startswith("ERROR: models/real/bloom_base: cannot fetch bigscience/bloom-560m from the hub (")
    assert "put its config.json, tokenizer files and model.safetensors there by hand" in line
    assert not (work / "models/real/bloom_base").exists() and not (work / "models/real/bloom_base.part").exists()
