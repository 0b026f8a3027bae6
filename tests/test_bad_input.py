"""Bad input stops the workflow before training, with one line naming the file (and line),
and leaves nothing behind that a rerun would take for done."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import error_lines, job_counts, make_workdir, run_snakemake
from ftlib.data.checks import check_fairseq_checkpoint, check_labelled_split, check_pieces_in_dictionary
from ftlib.core.errors import InputError

RAW = Path("data/cls-books/raw")
TARGET = "reports/cls-books/fairseq_report.md"  # the fairseq branch (`all` also wants BLOOM's hub model)
CKPT = Path("models/real/pretrained")


@pytest.fixture
def real_layout(demo_run, tmp_path):
    """A workdir whose hand-placed 'real' inputs are the demo's (valid) files."""
    workdir = make_workdir(tmp_path / "wd")
    (workdir / RAW).mkdir(parents=True)
    (workdir / CKPT).mkdir(parents=True)
    for split in ("train", "valid", "test"):
        for ext in ("review", "label"):
            shutil.copy(demo_run / f"data/demo/raw/{split}.{ext}", workdir / RAW)
    for name in ("model.pt", "dict.txt", "sentencepiece.bpe.model"):
        shutil.copy(demo_run / f"models/demo/pretrained/{name}", workdir / CKPT)
    return workdir


def assert_stops_before_training(workdir: Path, expected: str):
    proc = run_snakemake(workdir, TARGET, configfile="real_from_demo.yaml", check=False)
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert len(errors) == 1 and errors[0].startswith(f"ERROR: {expected}"), errors or proc.stderr[-3000:]
    assert "(log: logs/" in errors[0]
    assert not (workdir / "runs").exists()  # no training started
    return proc


def rewrite(path: Path, edit):
    lines = path.read_text().splitlines()
    path.write_text("".join(f"{line}\n" for line in edit(lines)))


def test_the_hand_placed_layout_itself_is_accepted(real_layout):
    proc = run_snakemake(real_layout, "-n", TARGET, configfile="real_from_demo.yaml")
    counts = job_counts(proc.stdout)
    assert counts["prepare_split"] == 3 and counts["finetune_fairseq"] == 2
    assert not any(rule.startswith(("download_", "unpack_")) for rule in counts)


def test_reviews_and_labels_of_different_lengths(real_layout):
    rewrite(real_layout / RAW / "train.label", lambda lines: lines[:-1])
    n = len((real_layout / RAW / "train.review").read_text().splitlines())
    assert_stops_before_training(
        real_layout, f"data/cls-books/raw/train.review:{n}: has {n} lines but data/cls-books/raw/train.label has {n - 1}")
    assert not (real_layout / "data/cls-books/prepared/train.spm.review").exists()
    assert not (real_layout / "data/cls-books/prepared/train.label").exists()


def test_empty_split(real_layout):
    (real_layout / RAW / "valid.review").write_text("")
    assert_stops_before_training(real_layout, "data/cls-books/raw/valid.review: empty split: no reviews")
    assert not (real_layout / "data/cls-books/prepared/valid.spm.review").exists()


def test_label_outside_the_label_set(real_layout):
    rewrite(real_layout / RAW / "test.label", lambda lines: lines[:2] + ["7"] + lines[3:])
    assert_stops_before_training(real_layout, "data/cls-books/raw/test.label:3: label '7' is not in the label set {0, 1}")


def test_missing_checkpoint_offline(real_layout):
    (real_layout / CKPT / "model.pt").unlink()
    assert_stops_before_training(
        real_layout, "data/downloads/checkpoint.zip: cannot download http://127.0.0.1:9/RoBERTa_small_fr.zip")
    proc = run_snakemake(real_layout, TARGET, configfile="real_from_demo.yaml", check=False)
    assert "put the archive at data/downloads/checkpoint.zip, or the files model.pt into models/real/pretrained/ by hand" in \
        error_lines(proc)[0]
    assert (real_layout / CKPT / "dict.txt").exists()  # hand-placed files are never deleted
    assert not (real_layout / "data/downloads/checkpoint.zip").exists()


def test_truncated_checkpoint(real_layout):
    model = real_layout / CKPT / "model.pt"
    model.write_bytes(model.read_bytes()[:1000])
    assert_stops_before_training(real_layout, "models/real/pretrained/model.pt: cannot be loaded as a torch checkpoint")
    assert not (real_layout / CKPT / "checkpoint_check.json").exists()


def test_checkpoint_that_does_not_fit_its_dictionary(real_layout):
    rewrite(real_layout / CKPT / "dict.txt", lambda lines: lines + ["▁intrus 1"])
    assert_stops_before_training(real_layout, "models/real/pretrained/model.pt: embedding has")


def test_checkpoint_of_another_shape_than_the_configured_arch(real_layout):
    import torch

    model = real_layout / CKPT / "model.pt"
    state = torch.load(model, map_location="cpu", weights_only=False)
    state["model"] = {k: v for k, v in state["model"].items() if ".layers.1." not in k}  # 2 layers -> 1
    torch.save(state, model)
    assert_stops_before_training(
        real_layout, "models/real/pretrained/model.pt: layers is 1 but finetune.real (arch roberta_demo, "
                     "max_positions 256) needs 2: the checkpoint does not have the configured shape")


def test_a_checkpoint_in_the_older_args_layout_is_checked_restored_and_converted(real_layout):
    # the published checkpoint is an older fairseq's: its settings in an argparse Namespace under
    # "args", where fairseq 0.12 writes a hydra config under "cfg"
    import argparse

    import torch

    model = real_layout / CKPT / "model.pt"
    state = torch.load(model, map_location="cpu", weights_only=False)
    assert state.get("cfg") is not None and isinstance(state["cfg"]["model"], argparse.Namespace)
    state["args"] = state.pop("cfg")["model"]
    torch.save(state, model)
    targets = ["runs/cls-books/fairseq/pretrained/seed0/metrics.json", "models/cls-books/hf_parity.json"]
    run_snakemake(real_layout, *targets, configfile="real_from_demo.yaml")
    log = (real_layout / "logs/cls-books/finetune_fairseq/pretrained_seed0.log").read_text()
    assert "Loaded checkpoint models/real/pretrained/model.pt" in log
    parity = json.loads((real_layout / targets[1]).read_text())  # written only when the check passes
    assert parity["tensors_compared"] > 0 and parity["last_hidden_max_abs_diff"] <= parity["atol"]


def test_files_saved_with_a_byte_order_mark_are_read_as_text(real_layout):
    for name in ("train.label", "train.review"):  # as a Windows editor saves them
        path = real_layout / RAW / name
        path.write_bytes("\ufeff".encode() + path.read_bytes())
    run_snakemake(real_layout, "data/cls-books/prepared/train.label", configfile="real_from_demo.yaml")
    prepared = (real_layout / "data/cls-books/prepared/train.label").read_text().splitlines()
    assert prepared == (real_layout / RAW / "train.label").read_text(encoding="utf-8-sig").splitlines()
    assert "\ufeff" not in (real_layout / "data/cls-books/prepared/train.spm.review").read_text()


# The same checks as functions, on small files.

def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_check_labelled_split_returns_clean_pairs(tmp_path):
    reviews = write(tmp_path / "a.review", "bien\nmal\n")
    labels = write(tmp_path / "a.label", "1\n0 \n")
    assert check_labelled_split(reviews, labels, ["0", "1"]) == (["bien", "mal"], ["1", "0"])


@pytest.mark.parametrize("review_text,label_text,expected", [
    ("bien\nmal\n", "1\n", "a.review:2: has 2 lines but TMP/a.label has 1: this line has no partner"),
    ("bien\n", "1\n0\n", "a.label:2: has 2 lines but TMP/a.review has 1: this line has no partner"),
    ("", "", "a.review: empty split: no reviews"),
    ("bien\n\n", "1\n0\n", "a.review:2: empty review"),
    ("bien\nmal\n", "1\npositive\n", "a.label:2: label 'positive' is not in the label set {0, 1}"),
])
def test_check_labelled_split_errors(tmp_path, review_text, label_text, expected):
    reviews, labels = write(tmp_path / "a.review", review_text), write(tmp_path / "a.label", label_text)
    with pytest.raises(InputError) as err:
        check_labelled_split(reviews, labels, ["0", "1"])
    assert str(err.value) == f"{tmp_path}/" + expected.replace("TMP", str(tmp_path))


def test_check_checkpoint_errors(tmp_path):
    with pytest.raises(InputError, match="model.pt: checkpoint is missing"):
        check_fairseq_checkpoint(tmp_path / "model.pt", tmp_path / "dict.txt")
    import torch

    torch.save({"something": 1}, tmp_path / "model.pt")
    with pytest.raises(InputError, match="not a fairseq checkpoint"):
        check_fairseq_checkpoint(tmp_path / "model.pt", tmp_path / "dict.txt")


def test_a_sentencepiece_model_of_another_dictionary_is_refused(tmp_path):
    dictionary = write(tmp_path / "dict.txt", "▁bien 10\n▁mal 8\n")
    assert check_pieces_in_dictionary(["▁bien ▁mal", "▁bien"], tmp_path / "spm.model", dictionary) == 0
    with pytest.raises(InputError) as err:
        check_pieces_in_dictionary(["▁bi en ▁mal", "▁ma l"], tmp_path / "spm.model", dictionary)
    assert str(err.value) == (f"{tmp_path}/spm.model: 80% of the pieces it cuts the reviews into are not in "
                              f"{dictionary} (at most 5% expected): the SentencePiece model and the dictionary "
                              "do not belong together")
