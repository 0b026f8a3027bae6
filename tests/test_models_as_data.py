"""Models as data: the model sheet, the study presets and the registry of PEFT method kinds.

Tiny random BERT, RoBERTa and T5 classifiers are built here, each with a tokenizer trained on the
tiny tasks' text, saved to folders and named in a test model sheet; each study preset then runs
end to end on them (loaded by the real code, from_pretrained from the folder) on a tiny
single-sentence task and a tiny pair task: every method trains, its count equals its formula (the
report refuses otherwise) and the report shows the study's rows.
"""
import json
import random
import shutil

import pytest
import yaml

from conftest import REPO, error_lines, job_counts, make_workdir, run_snakemake
from ftlib.accounting import peft as peft_accounting  # first: hides the unloadable torchaudio
from ftlib.peft import registry

PRESETS = sorted((REPO / "config/presets").glob("*.yaml"))
CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())
GOOD, BAD = ["bon", "excellent", "superbe", "magnifique"], ["mauvais", "ennuyeux", "raté", "pénible"]
SUBJECTS = ["le livre", "ce film", "la musique", "cette histoire", "le style"]


def preset(path):
    return yaml.safe_load(path.read_text())


def review(rng, positive):
    return f"{rng.choice(SUBJECTS)} est {rng.choice(GOOD if positive else BAD)}"


def write_tasks(folder):
    """Two tiny folder tasks (TSV): single sentences labelled by polarity, and pairs labelled by
    whether both share one."""
    rng = random.Random(0)
    for task, pair in (("tiny-single", False), ("tiny-pairs", True)):
        (folder / task).mkdir(parents=True)
        for split, n in (("train", 48), ("test", 24)):
            rows = []
            for _ in range(n):
                a = rng.random() < 0.5
                if pair:
                    b = rng.random() < 0.5
                    rows.append(f"{review(rng, a)}\t{review(rng, b)}\t{'même' if a == b else 'autre'}")
                else:
                    rows.append(f"{review(rng, a)}\t{'pos' if a else 'neg'}")
            header = "text\ttext2\tlabel" if pair else "text\tlabel"
            (folder / task / f"{split}.tsv").write_text("\n".join([header] + rows) + "\n")
    common = {"mode": "real", "format": "tsv", "valid": {"size": 8, "seed": 0}}
    return {"tasks": [
        {"name": "tiny-single", "description": "tiny single sentences", "source": {"folder": str(folder / "tiny-single")},
         "columns": {"text": "text", "label": "label"}, "labels": ["neg", "pos"], **common},
        {"name": "tiny-pairs", "description": "tiny sentence pairs", "source": {"folder": str(folder / "tiny-pairs")},
         "columns": {"text": "text", "text2": "text2", "label": "label"}, "labels": ["autre", "même"], **common}]}


def texts():
    return [f"{s} est {w}" for s in SUBJECTS for w in GOOD + BAD] * 4


def tiny_model(family, folder):
    """A tiny random classifier of ``family`` and its tokenizer, saved as transformers saves them."""
    import torch
    from tokenizers import BertWordPieceTokenizer, ByteLevelBPETokenizer, SentencePieceUnigramTokenizer
    from transformers import (BertConfig, BertForSequenceClassification, BertTokenizerFast, RobertaConfig,
                              RobertaForSequenceClassification, RobertaTokenizerFast, T5Config,
                              T5ForSequenceClassification, T5TokenizerFast)

    torch.manual_seed(0)
    folder.mkdir(parents=True)
    sizes = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=48)
    if family == "bert":
        trained = BertWordPieceTokenizer()
        trained.train_from_iterator(texts(), vocab_size=120, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        trained.save_model(str(folder))
        tokenizer = BertTokenizerFast(str(folder / "vocab.txt"))
        model = BertForSequenceClassification(BertConfig(vocab_size=len(tokenizer), max_position_embeddings=256,
                                                         **sizes))
    elif family == "roberta":
        trained = ByteLevelBPETokenizer()
        trained.train_from_iterator(texts(), vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        trained.save_model(str(folder))
        tokenizer = RobertaTokenizerFast(str(folder / "vocab.json"), str(folder / "merges.txt"))
        model = RobertaForSequenceClassification(RobertaConfig(vocab_size=len(tokenizer), max_position_embeddings=258,
                                                               type_vocab_size=1, pad_token_id=1, **sizes))
    else:
        trained = SentencePieceUnigramTokenizer()
        trained.train_from_iterator(texts(), vocab_size=80, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>")
        tokenizer = T5TokenizerFast(tokenizer_object=trained._tokenizer, eos_token="</s>", pad_token="<pad>",
                                    unk_token="<unk>", extra_ids=0)
        model = T5ForSequenceClassification(T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=16, d_ff=48,
                                                     num_layers=2, num_heads=2, decoder_start_token_id=0,
                                                     pad_token_id=0, eos_token_id=1))
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return {"name": f"tiny-{family}", "description": f"a tiny random {family} classifier (test)",
            "source": {"folder": str(folder)}}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """The test's task sheet (two tiny tasks) and model sheet (tiny BERT, RoBERTa, T5 folders)."""
    root = tmp_path_factory.mktemp("models_as_data")
    tasks, models = root / "tasks.yaml", root / "models.yaml"
    tasks.write_text(yaml.safe_dump(write_tasks(root / "data"), allow_unicode=True))
    models.write_text(yaml.safe_dump({"models": [tiny_model(f, root / f"tiny-{f}") for f in ("bert", "roberta", "t5")]}))
    return root, tasks, models


def overrides(root, tasks, models, model, **peft_extra):
    """Config on top of a preset: the tiny tasks and models, one seed, two short epochs."""
    short = {"all": {"max_epoch": 2, "batch_size": 8, "warmup_ratio": 0.0}}
    config = {"task_sheets": ["config/tasks.yaml", str(tasks)], "model_sheets": ["config/models.yaml", str(models)],
              "tasks": ["tiny-single", "tiny-pairs"],
              "peft": {"model": model, "real": {"seeds": [0], "task_hp": {"tiny-single": short, "tiny-pairs": short}},
                       **peft_extra}}
    path = root / f"overrides-{model}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_every_preset_dry_runs_its_study(path, tmp_path):
    """Offline, each preset lists its jobs: the model's download, one job per (task, method, seed)
    of the PEFT branch alone, and each task's report."""
    study = preset(path)
    proc = run_snakemake(make_workdir(tmp_path), "-n", "all", "--configfile", str(path), configfile=None)
    jobs = job_counts(proc.stdout)
    peft = study["peft"]["real"]
    assert jobs["finetune_peft"] == len(study["tasks"]) * len(peft["methods"]) * len(peft["seeds"])
    assert jobs["download_hf_model"] == 1 and jobs["report_peft"] == len(study["tasks"])
    assert not {"finetune_fairseq", "finetune_hf", "finetune_bloom"} & set(jobs)


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_the_real_models_count_as_the_studies_publish(path):
    """The trainable counts of the model each preset builds (its real shape, on the meta device)
    beside the study's published ones: equal, but for the classification head where the study's
    model had none (t5-small's total is its language model's)."""
    study = preset(path)
    model = study["peft"]["model"]
    arch = dict(CONFIG["peft"]["architectures"][model])
    if arch["family"] == "t5":  # the preset's T5 is a sequence classifier
        arch.update(task="seq_cls", num_labels=2)
    for entry in study["peft"]["study"].get("counts", []):
        spec = {**CONFIG["peft"]["methods"], **study["peft"]["methods"]}[entry["method"]]
        row = peft_accounting.account(model, arch, spec)  # raises if counted != formula
        extra = peft_accounting.head(arch) if (arch["family"], entry["what"]) == ("t5", "total") else 0
        assert row[f"counted_{entry['what']}"] == entry["value"] + extra, entry


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_each_preset_runs_end_to_end_on_tiny_models(path, sheets):
    root, tasks, models = sheets
    study = preset(path)
    family = CONFIG["peft"]["architectures"][study["peft"]["model"]]["family"]
    config = overrides(root, tasks, models, f"tiny-{family}")
    work = make_workdir(root / f"work-{path.stem}")
    run_snakemake(work, "all", "--configfile", str(path), str(config), configfile=None)
    methods = study["peft"]["real"]["methods"]
    for task in ("tiny-single", "tiny-pairs"):
        for method in methods:
            metrics = json.loads((work / f"runs/{task}/peft/tiny-{family}/{method}/seed0/metrics.json").read_text())
            assert metrics["model"] == f"tiny-{family}" and len(metrics["epochs"]) == 2
            assert 0 <= metrics["test_accuracy"] <= 100 and metrics["trainable_params"] < metrics["total_params"] \
                or method == "full"
        report = (work / f"reports/{task}/peft_report.md").read_text()
        assert f"## The study: {study['peft']['study']['name']}" in report
        # the comparison with full fine-tuning only where the study runs it
        assert ("## What each method loses against full fine-tuning" in report) == ("full" in methods)
        for row in study["peft"]["study"]["accuracy"]:
            assert f"| {row['task']} | {row['method']} | {row['value']:.1f} |" in report
        accounting = json.loads((work / f"reports/{task}/peft_parameters.json").read_text())
        assert len(accounting["study_counts"]) == len(study["peft"]["study"].get("counts", []))
    assert not (work / "runs/tiny-single/fairseq").exists()  # the PEFT branch alone


LAYERNORM_KIND = '''"""``layernorm``: only the layer norms train, with the classifier's head (a test's kind)."""
from ftlib.models.shapes import head
from ftlib.peft.method_kind import Method
from ftlib.peft.trainable import train_only


class LayerNormOnly(Method):
    kind = "layernorm"

    def apply(self, model, spec, target):
        train_only(model, target, lambda name: "LayerNorm" in name)
        return model

    def formula(self, arch, spec):
        D, L = arch["hidden_size"], arch["num_layers"]
        trainable = 2 * D + L * 4 * D + head(arch)  # embeddings' norm, two per layer (weight, bias)
        return {"added": 0, "trainable": trainable, "text": f"2·{D} + {L}·4·{D} + head"}

    def describe(self, spec):
        return "layer norms only"
'''


def test_a_new_method_kind_is_one_module_and_its_line_in_kinds(sheets, tmp_path):
    """A kind added as one module of scripts/ftlib/peft/methods/ and its line in that package's
    KINDS (in a copy of the tree) trains and is counted with no other change than its config entry."""
    root, tasks, models = sheets
    for folder in ("scripts", "rules", "config", "profiles", "envs"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "Snakefile", tmp_path / "Snakefile")
    methods = tmp_path / "scripts/ftlib/peft/methods"
    (methods / "layernorm.py").write_text(LAYERNORM_KIND)
    listing = (methods / "__init__.py").read_text().replace(
        "\nKINDS = (\n", "from ftlib.peft.methods.layernorm import LayerNormOnly\n\nKINDS = (\n    LayerNormOnly,\n")
    assert "LayerNormOnly," in listing
    (methods / "__init__.py").write_text(listing)
    config = overrides(root, tasks, models, "tiny-roberta", methods={"ln": {"kind": "layernorm"}})
    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump({"branches": ["peft"], "tasks": ["tiny-single"],
                                     "peft": {"real": {"methods": ["ln"]}}}))
    work = tmp_path / "work"
    work.mkdir()
    (work / "config").symlink_to(tmp_path / "config")  # the copy's config, as a clone's working folder sees it
    run_snakemake(work, "all", "--configfile", str(config), str(extra), configfile=None,
                  snakefile=tmp_path / "Snakefile")
    metrics = json.loads((work / "runs/tiny-single/peft/tiny-roberta/ln/seed0/metrics.json").read_text())
    counts = json.loads((work / "reports/tiny-single/peft_parameters.json").read_text())
    row = next(r for r in counts["methods"]["this run's model"] if r["method"] == "ln")
    assert metrics["trainable_params"] == row["counted_trainable"] == row["formula_trainable"] == 2 * 32 + 2 * 4 * 32 + (32 * 32 + 32 + 2 * 32 + 2)
    assert "layernorm" not in registry.kinds()  # the repository's registry is untouched


def test_an_unknown_kind_or_key_stops_at_start_up_naming_the_registered_kinds(tmp_path):
    for methods, message in [
        ({"dora8": {"kind": "dora", "r": 8}}, "config: peft.methods.dora8: unknown PEFT method kind 'dora' (registered: adapter, bitfit, full, ia3, lora, none, prompt"),
        ({"lora8": {"kind": "lora", "r": 8, "alpha": 16}}, "config: peft.methods.lora8: kind 'lora' lacks target_modules"),
        ({"bitfit2": {"kind": "bitfit", "r": 2}}, "config: peft.methods.bitfit2: kind 'bitfit' takes no r"),
    ]:
        config = tmp_path / "bad.yaml"
        config.write_text(yaml.safe_dump({"peft": {"methods": methods}}))
        proc = run_snakemake(make_workdir(tmp_path / "work"), "-n", "all", "--configfile", str(config),
                             configfile=None, check=False)
        assert proc.returncode != 0 and message in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-1500:]


def test_a_hub_model_offline_is_one_line_naming_the_folder_to_fill(tmp_path, monkeypatch):
    """Offline (as these machines are; forced, for machines that reach the hub), the download stops
    in one line and leaves no folder that a rerun would take for the model."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    work = make_workdir(tmp_path / "work")
    proc = run_snakemake(work, "models/hub/t5-small", configfile=None, check=False)
    assert proc.returncode != 0
    (line,) = error_lines(proc)
    assert line.startswith("ERROR: models/hub/t5-small: could not download google-t5/t5-small from the HuggingFace hub (")
    assert "put the model's files (config.json, weights, tokenizer) in this folder by hand" in line
    assert not (work / "models/hub/t5-small").exists() and not (work / "models/hub/t5-small.partial").exists()


def test_a_model_folder_without_config_json_is_refused_at_start_up(tmp_path):
    sheet = tmp_path / "models.yaml"
    sheet.write_text(yaml.safe_dump({"models": [{"name": "mine", "description": "x", "source": {"folder": str(tmp_path / "empty")}}]}))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"model_sheets": ["config/models.yaml", str(sheet)], "peft": {"model": "mine"}}))
    proc = run_snakemake(make_workdir(tmp_path / "work"), "-n", "all", "--configfile", str(config), configfile=None,
                         check=False)
    assert proc.returncode != 0
    assert "model mine: source.folder: " in proc.stdout + proc.stderr and "holds no config.json" in proc.stdout + proc.stderr


TINY_SHAPES = {
    "bert": {"family": "bert", "vocab_size": 100, "hidden_size": 32, "num_layers": 2, "num_heads": 2,
             "intermediate_size": 48, "max_position_embeddings": 64, "type_vocab_size": 2, "num_labels": 3},
    "t5": {"family": "t5", "task": "seq_cls", "vocab_size": 100, "hidden_size": 32, "num_layers": 2, "num_heads": 2,
           "intermediate_size": 48, "head_dim": 16, "relative_attention_num_buckets": 8, "num_labels": 3},
}
KINDS_BY_FAMILY = {
    "bert": [{"kind": "full"}, {"kind": "bitfit"}, {"kind": "lora", "r": 2, "alpha": 4, "target_modules": ["query", "value"]},
             {"kind": "adapter", "size": 4}, {"kind": "prompt", "num_virtual_tokens": 3}, {"kind": "ia3"}],
    "t5": [{"kind": "full"}, {"kind": "lora", "r": 2, "alpha": 4, "target_modules": ["q", "v"]},
           {"kind": "adapter", "size": 4}, {"kind": "prompt", "num_virtual_tokens": 3}, {"kind": "ia3"}],
}


@pytest.mark.parametrize("family", KINDS_BY_FAMILY)
def test_every_kind_counts_as_its_formula_on_bert_and_t5_classifiers(family):
    """Each kind's registry module, applied to a BERT and a T5 sequence classifier (meta device):
    the count equals the kind's closed form, and a classifier's head always trains."""
    shape = TINY_SHAPES[family]
    for spec in KINDS_BY_FAMILY[family]:
        row = peft_accounting.account(family, shape, spec)  # raises if counted != formula
        assert row["counted_trainable"] >= peft_accounting.head(shape), spec


def test_the_t5_encoder_prompt_trains_and_widens_the_mask():
    """T5's classifier gets its soft prompt before the encoder (peft's cannot run it): the prompt
    moves under training, the frozen encoder does not, and padded examples are still masked."""
    import torch
    from transformers import T5Config, T5ForSequenceClassification

    from ftlib.peft import apply_method, trainable_names

    torch.manual_seed(0)
    model = T5ForSequenceClassification(T5Config(vocab_size=50, d_model=16, d_kv=8, d_ff=24, num_layers=1,
                                                 num_heads=2, decoder_start_token_id=0, pad_token_id=0,
                                                 eos_token_id=1))
    model = apply_method(model, {"kind": "prompt", "num_virtual_tokens": 4})
    assert sorted(trainable_names(model)) == ["classification_head.dense.bias", "classification_head.dense.weight",
                                              "classification_head.out_proj.bias", "classification_head.out_proj.weight",
                                              "soft_prompt.embedding"]
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ids = torch.tensor([[5, 6, 7, 1], [8, 9, 1, 0]])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(2):
        optimizer.zero_grad()
        model(input_ids=ids, attention_mask=(ids != 0).long(), labels=torch.tensor([0, 1])).loss.backward()
        optimizer.step()
    moved = {n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])}
    assert moved == set(trainable_names(model))
    # the padded example's logits do not depend on what sits under its padding
    model.eval()
    mask = (ids != 0).long()
    other = ids.clone()
    other[1, 3] = 7  # a word under the second example's padding
    with torch.no_grad():
        a = model(input_ids=ids, attention_mask=mask).logits
        b = model(input_ids=other, attention_mask=mask).logits
        c = model(input_ids=other, attention_mask=torch.ones_like(mask)).logits
    assert torch.allclose(a, b) and not torch.allclose(a[1], c[1])  # masked: no effect; unmasked: one
