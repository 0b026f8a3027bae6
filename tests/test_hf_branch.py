"""The HuggingFace branch: conversion parity, the schedule against fairseq's, the reduced
end-to-end run read back from its own logs, and bad input."""
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import CONFIGS, error_lines, make_workdir, run_snakemake
from ftlib.core.errors import InputError
from ftlib.hf.compare import lr_disagreements
from ftlib.hf.parity import ParityError, parity_check, read_reviews
from ftlib.core.metrics import read_scalars

CKPT = Path("models/demo/pretrained")
HF = Path("models/demo/hf_pretrained")
REPORT = Path("reports/demo/comparison_report.md")


@pytest.fixture(scope="session")
def hf_demo(demo_run) -> Path:
    """The reduced demo (1 seed, 1 epoch), whose `all` includes the comparison report."""
    return demo_run


def demo_parity(workdir: Path, hf_dir: Path, atol=1e-4):
    splits = [workdir / f"data/demo/raw/{s}.review" for s in ("train", "valid", "test")]
    reviews = read_reviews(splits)
    return parity_check(hf_dir, workdir / CKPT / "model.pt", workdir / CKPT / "dict.txt",
                        workdir / CKPT / "sentencepiece.bpe.model", reviews, reviews[:16], 256, atol)


def copy_inputs(src: Path, dest: Path, *paths) -> Path:
    """Copy built files with their times, so that Snakemake takes them as up to date."""
    workdir = make_workdir(dest)
    for path in paths:
        if (src / path).is_dir():
            shutil.copytree(src / path, workdir / path)
        else:
            (workdir / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / path, workdir / path)
    return workdir


# -- conversion parity ---------------------------------------------------------------------

def test_token_ids_are_the_ones_fairseq_preprocess_wrote(hf_demo):
    """The HF tokenizer against the binarized splits fairseq-train reads (data/demo/bin)."""
    from fairseq.data import Dictionary, data_utils
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(hf_demo / HF))
    dictionary = Dictionary.load(str(hf_demo / CKPT / "dict.txt"))
    for split in ("train", "valid", "test"):
        reviews = (hf_demo / f"data/demo/raw/{split}.review").read_text().splitlines()
        binarized = data_utils.load_indexed_dataset(str(hf_demo / f"data/demo/bin/input0/{split}"), dictionary)
        assert len(binarized) == len(reviews)
        for i, review in enumerate(reviews):
            ids = tokenizer(review)["input_ids"]
            # sentence_prediction prepends --init-token 0 to what fairseq-preprocess wrote
            assert ids == [0] + binarized[i].tolist(), (split, i)


def test_parity_of_the_converted_demo_checkpoint(hf_demo):
    recorded = json.loads((hf_demo / "models/demo/hf_parity.json").read_text())
    n_reviews = sum(len((hf_demo / f"data/demo/raw/{s}.review").read_text().splitlines())
                    for s in ("train", "valid", "test"))
    assert recorded["reviews_tokenized"] == n_reviews and recorded["batch_reviews"] == 16
    assert recorded["last_hidden_max_abs_diff"] <= 1e-4
    again = demo_parity(hf_demo, hf_demo / HF)
    assert again["last_hidden_max_abs_diff"] <= 1e-4 and again["tensors_compared"] > 30
    config = json.loads((hf_demo / HF / "config.json").read_text())
    assert config["max_position_embeddings"] == 258 and config["layer_norm_eps"] == 1e-5
    assert config["num_hidden_layers"] == 2 and config["hidden_size"] == 128


def test_a_corrupted_weight_fails_the_parity_check_naming_it(hf_demo, tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    corrupted = shutil.copytree(hf_demo / HF, tmp_path / "corrupted")
    tensors = load_file(str(corrupted / "model.safetensors"))
    name = "roberta.encoder.layer.1.attention.self.value.weight"
    tensors[name] = tensors[name].clone()
    tensors[name][3, 5] += 0.01
    save_file(tensors, str(corrupted / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(ParityError, match=re.escape(name) + r": differs from fairseq "
                                          r"encoder\.sentence_encoder\.layers\.1\.self_attn\.v_proj\.weight"):
        demo_parity(hf_demo, corrupted)
    assert not torch.equal(load_file(str(hf_demo / HF / "model.safetensors"))[name], tensors[name])


def test_a_changed_config_fails_at_the_first_differing_hidden_state(hf_demo, tmp_path):
    changed = shutil.copytree(hf_demo / HF, tmp_path / "changed")
    config = json.loads((changed / "config.json").read_text())
    config["layer_norm_eps"] = 0.1  # weights identical, computation not
    (changed / "config.json").write_text(json.dumps(config))
    with pytest.raises(ParityError, match=r"hidden states: embeddings output \(roberta\.embeddings\) differs"):
        demo_parity(hf_demo, changed)


def test_the_rule_fails_in_one_line_on_a_bad_published_folder(hf_demo, tmp_path):
    """The real config may point at a published conversion: a wrong one stops the rule."""
    from safetensors.torch import load_file, save_file

    workdir = copy_inputs(hf_demo, tmp_path / "wd", "data/demo/raw", CKPT)
    published = shutil.copytree(hf_demo / HF, tmp_path / "published")
    tensors = load_file(str(published / "model.safetensors"))
    tensors["roberta.embeddings.LayerNorm.bias"] = tensors["roberta.embeddings.LayerNorm.bias"] + 1e-3
    save_file(tensors, str(published / "model.safetensors"), metadata={"format": "pt"})
    override = tmp_path / "published.yaml"
    override.write_text(f"hf:\n  demo:\n    published: {published}\n")
    proc = run_snakemake(workdir, str(HF), "--configfile", str(CONFIGS / "demo_small.yaml"), str(override),
                         configfile=None, check=False)
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR: roberta.embeddings.LayerNorm.bias: differs from fairseq encoder.sentence_encoder."
        "layernorm_embedding.bias by 0.001"), errors or proc.stderr[-3000:]
    assert not (workdir / HF).exists() and not (workdir / "models/demo/hf_pretrained.tmp").exists()
    assert not (workdir / "models/demo/hf_parity.json").exists()


# -- the schedule ----------------------------------------------------------------------------

def test_evaluation_runs_shortest_first_and_predictions_come_back_in_file_order():
    from ftlib.hf.train import by_length, in_file_order

    examples = [{"input_ids": [0] * n} for n in (5, 2, 9, 2, 4)]
    order = by_length(examples)
    assert order == [1, 3, 4, 0, 2]  # ties (two of length 2) in file order
    evaluated = [f"prediction of {i}" for i in order]  # what an evaluation in that order yields
    assert in_file_order(evaluated, order) == [f"prediction of {i}" for i in range(5)]


def test_schedule_is_fairseqs_polynomial_decay_at_every_update():
    """fairseq's own scheduler class, driven as fairseq's trainer drives it, vs ours in a torch
    optimizer driven as Trainer drives it: the lr of every one of 1250 updates (75 warmup)."""
    import argparse

    import torch
    from fairseq.optim import FairseqOptimizer
    from fairseq.optim.lr_scheduler.polynomial_decay_schedule import PolynomialDecayLRSchedule

    from ftlib.hf.train import fairseq_polynomial_lr_factor

    total, warmup, peak = 1250, 75, 1e-5

    class PlainFairseqOptimizer(FairseqOptimizer):
        """fairseq's optimizer wrapper around a torch optimizer; only its lr matters here."""

        def __init__(self, cfg, params):
            super().__init__(cfg)
            self._optimizer = torch.optim.SGD(params, lr=peak)

    cfg = argparse.Namespace(lr=[peak], warmup_updates=warmup, end_learning_rate=0.0, power=1.0,
                             total_num_update=total, force_anneal=None)
    fs_opt = PlainFairseqOptimizer(cfg, [torch.nn.Parameter(torch.zeros(1))])
    fairseq_schedule = PolynomialDecayLRSchedule(cfg, fs_opt)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=peak)
    ours = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: fairseq_polynomial_lr_factor(s, warmup, total))
    for update in range(1, total + 1):
        fs_lr, hf_lr = fs_opt.get_lr(), optimizer.param_groups[0]["lr"]  # the lr this update uses
        assert hf_lr == pytest.approx(fs_lr, rel=1e-9, abs=1e-15), update
        optimizer.step()
        ours.step()
        fairseq_schedule.step_update(update)
    assert fs_opt.get_lr() == optimizer.param_groups[0]["lr"] == 0.0


def test_logged_learning_rates_of_both_toolkits_agree_step_by_step(hf_demo):
    fairseq_lr = read_scalars(hf_demo / "runs/demo/fairseq/pretrained/seed0/tensorboard", "train_inner", "lr")
    hf_lr = read_scalars(hf_demo / "runs/demo/hf/pretrained/seed0/tensorboard", "train_inner", "lr")
    assert [s for s, _ in fairseq_lr] == [s for s, _ in hf_lr] == [1, 2, 3, 4, 5, 6]  # log_interval 1
    assert lr_disagreements(fairseq_lr, hf_lr, rel_tol=0.01) == []
    for (_, a), (_, b) in zip(fairseq_lr, hf_lr):
        assert b == pytest.approx(a, rel=0.01, abs=1e-12)
    assert lr_disagreements(fairseq_lr, [(s, v * 1.02) for s, v in hf_lr])  # 2 % off is caught
    report = (hf_demo / REPORT).read_text()
    assert "6 fairseq and 6 HF points; they agree within 1 % at every step" in report
    png = (hf_demo / "reports/demo/comparison_lr.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


# -- the reduced end-to-end run ----------------------------------------------------------------

def test_reported_numbers_come_from_the_hf_runs_own_logs(hf_demo):
    report = (hf_demo / REPORT).read_text()
    rows = (hf_demo / "reports/demo/comparison_runs.tsv").read_text().splitlines()
    header = rows[0].split("\t")
    table = [dict(zip(header, line.split("\t"))) for line in rows[1:]]
    assert sorted((r["toolkit"], r["init"]) for r in table) == [
        ("fairseq", "pretrained"), ("fairseq", "scratch"), ("hf", "pretrained"), ("hf", "scratch")]
    cells = {}
    for init in ("pretrained", "scratch"):
        run = hf_demo / f"runs/demo/hf/{init}/seed0"
        metrics = json.loads((run / "metrics.json").read_text())
        valid = read_scalars(run / "tensorboard", "valid", "accuracy")
        test = read_scalars(run / "tensorboard", "test", "accuracy")
        assert len(valid) == len(test) == 1 and valid[0][0] == test[0][0] == 6  # 1 epoch, 6 updates
        assert metrics["test_accuracy"] == test[0][1] and metrics["best_valid_accuracy"] == valid[0][1]
        assert metrics["total_updates"] == 6 and metrics["n_train"] == 48 and metrics["threads"] == 1
        assert metrics["peak_rss_mb"] > 50 and metrics["init"] == init
        # ... the same numbers as the run's text log, and as the report's row
        log = (hf_demo / f"logs/demo/finetune_hf/{init}_seed0.log").read_text()
        assert f"epoch 1 update 6: test accuracy {test[0][1]:.1f}" in log and "torch threads: 1" in log
        row = next(r for r in table if r["toolkit"] == "hf" and r["init"] == init)
        assert float(row["test_accuracy"]) == test[0][1]
        fairseq = json.loads((hf_demo / f"runs/demo/fairseq/{init}/seed0/metrics.json").read_text())
        cells[init] = (fairseq["test_accuracy"], fairseq["best_valid_accuracy"], test[0][1], valid[0][1])
    for init, (ft, fv, ht, hv) in cells.items():
        assert f"| {init} | 0 | {ft:.1f} ({fv:.1f}, ep 1) | {ht:.1f} ({hv:.1f}, ep 1) |" in report
    assert "| hf | pretrained | 1 |" in report and "82.7 ± 0.94" in report  # HF reference B row


# -- bad input -------------------------------------------------------------------------------

def test_bad_jsonl_lines_name_file_and_line(tmp_path):
    from ftlib.hf.data import read_jsonl

    path = tmp_path / "train.jsonl"
    good = '{"sentence1": "Un bon livre.", "label": "1"}'
    for bad, problem in [('{"sentence1": "x", "label": ', "not JSON"),
                         ('{"label": "0"}', "lacks 'sentence1'"),
                         ('{"sentence1": "x"}', "lacks 'label'"),
                         ('{"sentence1": "x", "label": "7"}', "label '7' is not in the label set {0, 1}")]:
        path.write_text(f"{good}\n{good}\n{bad}\n")
        with pytest.raises(InputError, match=re.escape(f"{path}:3: {problem}")):
            read_jsonl(path, ["0", "1"])
    path.write_text(f"{good}\n")
    assert read_jsonl(path, ["0", "1"]) == (["Un bon livre."], [1])


def test_bad_jsonl_stops_the_hf_run_in_one_line(hf_demo, tmp_path):
    workdir = copy_inputs(hf_demo, tmp_path / "wd", "data/demo/raw", CKPT, HF, "models/demo/hf_parity.json",
                          "data/demo/jsonl")
    path = workdir / "data/demo/jsonl/train.jsonl"
    lines = path.read_text().splitlines()
    lines[4] = lines[4][:-3]  # a truncated line
    path.write_text("\n".join(lines) + "\n")
    proc = run_snakemake(workdir, "runs/demo/hf/pretrained/seed0/metrics.json", check=False)
    errors = error_lines(proc)
    assert proc.returncode != 0 and len(errors) == 1, errors or proc.stderr[-3000:]
    assert errors[0].startswith("ERROR: data/demo/jsonl/train.jsonl:5: not JSON")
    assert "(log: logs/demo/finetune_hf/pretrained_seed0.log)" in errors[0]
    assert not (workdir / "runs/demo/hf/pretrained/seed0/metrics.json").exists()
    assert not (workdir / "runs/demo/hf/pretrained/seed0/tensorboard").exists()


def test_converted_folder_missing_a_file_stops_the_hf_run(hf_demo, tmp_path):
    workdir = copy_inputs(hf_demo, tmp_path / "wd", "data/demo/raw", CKPT, HF, "models/demo/hf_parity.json",
                          "data/demo/jsonl")
    (workdir / HF / "tokenizer.json").unlink()
    proc = run_snakemake(workdir, "runs/demo/hf/scratch/seed0/metrics.json", check=False)
    errors = error_lines(proc)
    assert proc.returncode != 0 and len(errors) == 1, errors or proc.stderr[-3000:]
    assert errors[0].startswith(
        "ERROR: models/demo/hf_pretrained/tokenizer.json: file is missing from the converted model folder")
    assert not (workdir / "runs/demo/hf/scratch/seed0/metrics.json").exists()


def test_checkpoint_not_matching_dict_txt_is_refused_before_writing(hf_demo, tmp_path):
    from ftlib.hf.convert import convert

    from ftlib.data.checks import dictionary_size

    rows = dictionary_size(hf_demo / CKPT / "dict.txt")  # the checkpoint's embedding rows
    bad_dict = tmp_path / "dict.txt"
    bad_dict.write_text((hf_demo / CKPT / "dict.txt").read_text() + "▁nouveau 1\n")
    out = tmp_path / "hf"
    with pytest.raises(InputError, match=rf"model\.pt: embedding has {rows} rows but .*dict\.txt gives a vocabulary of {rows + 1}"):
        convert(hf_demo / CKPT / "model.pt", bad_dict, hf_demo / CKPT / "sentencepiece.bpe.model", out)
    assert not out.exists()


# -- one model, two toolkits: the same starting distribution ----------------------------------

def scratch_models(workdir: Path, hf_head_as_fairseq: bool):
    """fairseq's scratch classifier (RobertaModel of the checkpoint's args: init_bert_params, then
    the head registered) and the HF branch's (with ftlib.hf.init, as finetune_hf builds it, or
    transformers' own initialisation)."""
    import torch
    from fairseq.models.roberta.model import RobertaEncoder, RobertaModel
    from transformers import AutoConfig, RobertaForSequenceClassification

    from ftlib.data.checks import load_dictionary
    from ftlib.hf.convert import load_fairseq_checkpoint
    from ftlib.hf.init import fairseq_init

    _, args = load_fairseq_checkpoint(workdir / CKPT / "model.pt")
    torch.manual_seed(0)
    fairseq = RobertaModel(args, RobertaEncoder(args, load_dictionary(workdir / CKPT / "dict.txt")))
    fairseq.register_classification_head("sentence_classification_head", num_classes=2)
    torch.manual_seed(0)
    hf = RobertaForSequenceClassification(AutoConfig.from_pretrained(workdir / HF, num_labels=2))
    if hf_head_as_fairseq:
        hf = fairseq_init(hf, scratch=True)
    return dict(fairseq.named_parameters()), dict(hf.named_parameters())


PAIRS = {  # fairseq name -> transformers name
    "classification_heads.sentence_classification_head.dense.weight": "classifier.dense.weight",
    "classification_heads.sentence_classification_head.dense.bias": "classifier.dense.bias",
    "classification_heads.sentence_classification_head.out_proj.weight": "classifier.out_proj.weight",
    "encoder.sentence_encoder.layers.0.self_attn.q_proj.weight": "roberta.encoder.layer.0.attention.self.query.weight",
    "encoder.sentence_encoder.layers.1.fc1.weight": "roberta.encoder.layer.1.intermediate.dense.weight",
    "encoder.sentence_encoder.embed_tokens.weight": "roberta.embeddings.word_embeddings.weight",
}


def test_both_toolkits_scratch_models_start_from_the_same_distribution(hf_demo):
    """Tensor by tensor, fairseq's scratch classifier and the HF branch's are draws of one
    distribution (two-sample Kolmogorov-Smirnov, scipy); transformers' own head initialisation
    (N(0, 0.02) where fairseq keeps torch's uniform default) is not, which is what made the HF
    branch's scratch runs score ~9 points above fairseq's on the demo."""
    from scipy.stats import ks_2samp

    fairseq, hf = scratch_models(hf_demo, hf_head_as_fairseq=True)
    for fs_name, hf_name in PAIRS.items():
        a, b = fairseq[fs_name].detach().flatten().numpy(), hf[hf_name].detach().flatten().numpy()
        assert ks_2samp(a, b).pvalue > 1e-3, (fs_name, ks_2samp(a, b))  # (vocabularies differ in size)
    assert not hf["roberta.embeddings.token_type_embeddings.weight"].any()  # fairseq has no token types
    _, stock = scratch_models(hf_demo, hf_head_as_fairseq=False)
    head = fairseq["classification_heads.sentence_classification_head.dense.weight"].detach().flatten().numpy()
    assert ks_2samp(head, stock["classifier.dense.weight"].detach().flatten().numpy()).pvalue < 1e-9


# -- variance by source ------------------------------------------------------------------------

def test_the_variance_study_varies_one_source_at_a_time(hf_demo, tmp_path):
    """`snakemake variance` on the reduced demo (pretrained, 2 seeds per source): each run records
    the three seeds it ran with (one varied, the others fixed), and the report's spread per source
    is the sample std of the accuracies it lists."""
    import statistics

    import yaml

    from conftest import job_counts, seed_workdir

    work = seed_workdir(hf_demo, tmp_path / "work")
    small = tmp_path / "variance.yaml"
    small.write_text(yaml.safe_dump({"variance": {"inits": ["pretrained"], "seeds": [1, 2], "fixed_seed": 0,
                                                  "sources": ["init", "data_order", "dropout"]}}))
    args = ("variance", "--configfile", str(CONFIGS / "demo_small.yaml"), str(small))
    assert job_counts(run_snakemake(work, "-n", *args, configfile=None).stdout)["finetune_hf_variance"] == 6
    run_snakemake(work, *args, configfile=None)
    for source in ("init", "data_order", "dropout"):
        for seed in (1, 2):
            metrics = json.loads((work / f"runs/demo/hf_variance/pretrained/{source}/seed{seed}/metrics.json").read_text())
            expected = {"init": 0, "data_order": 0, "dropout": 0, source: seed}
            assert metrics["seeds"] == expected and metrics["data_seed"] == expected["data_order"]
    report = (work / "reports/demo/variance.md").read_text()
    spreads = []
    for line in report.splitlines():
        if line.startswith(("| init |", "| data_order |", "| dropout |")):
            cells = [c.strip() for c in line.split("|")[1:-1]]
            accs = [float(a) for a in cells[2].split(" / ")]
            spreads.append(statistics.stdev(accs))
            assert cells[3].endswith(f"± {spreads[-1]:.2f}")
    assert len(spreads) == 3
    assert ("Levene's test" in report) == any(spreads)  # no test of three zero spreads
    assert (work / "reports/demo/variance.png").stat().st_size > 5000
