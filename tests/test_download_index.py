"""One index of every download (ftlib/data/download_index.py), built from the shipped task sheet and
the real checkpoint's config: shared archives once, per-split files each, the checkpoint's archive
under its fixed name, and two URLs fighting for one file refused."""
import dataclasses

import pytest
import yaml

from conftest import REPO
from ftlib.data.download_index import CHECKPOINT, download_index
from ftlib.data.tasks import SheetError, load_tasks

CHECKPOINT_FILES = [f"models/real/pretrained/{n}" for n in ("model.pt", "dict.txt", "sentencepiece.bpe.model")]


def raw_files(task):
    return [f"data/{task}/raw/{split}.{ext}" for split in ("train", "valid", "test") for ext in ("review", "label")]


@pytest.fixture(scope="module")
def tasks():
    return load_tasks([REPO / "config/tasks.yaml"], REPO / "config/tasks.schema.yaml")


@pytest.fixture(scope="module")
def real():
    return yaml.safe_load((REPO / "config/config.yaml").read_text())["data"]["real"]


def test_every_url_of_the_sheet_has_one_entry_and_the_checkpoint_its_own(tasks, real):
    index = download_index(tasks, raw_files, real, CHECKPOINT_FILES)
    urls = {u for t in tasks.values() for u in t.download_urls()}
    assert {d.url for name, d in index.items() if name != CHECKPOINT} == urls
    flue = index["cls-acl10-unprocessed.tar.gz"]  # FLUE's CLS domains share one archive
    assert flue.tasks == ("cls-dvd", "cls-music") and len(flue.provides) == 2
    assert flue.members == ("fr/dvd/train.review", "fr/dvd/test.review", "fr/music/train.review", "fr/music/test.review")
    assert index["cls.books.zip"].members == tuple(f"{s}.{e}" for s in ("train", "test") for e in ("review", "label"))
    assert index[CHECKPOINT].url == real["urls"]["checkpoint"]
    assert index[CHECKPOINT].members == ("model.pt", "dict.txt", "sentencepiece.bpe.model")
    assert all(name == d.name and d.path == f"data/downloads/{name}" for name, d in index.items())


def test_the_offline_message_names_the_download_and_each_readers_missing_files(tasks, real, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing placed by hand here
    index = download_index(tasks, raw_files, real, CHECKPOINT_FILES)
    assert index[CHECKPOINT].by_hand() == (
        "without network, put the archive at data/downloads/checkpoint.zip, or the files model.pt dict.txt "
        "sentencepiece.bpe.model into models/real/pretrained/ by hand")
    assert "; " in index["cls-acl10-unprocessed.tar.gz"].by_hand()  # one clause per domain
    assert "into data/cls-dvd/raw/ by hand" not in index["cls-acl10-unprocessed.tar.gz"].by_hand()
    assert index["cls-acl10-unprocessed.tar.gz"].by_hand().endswith("into data/cls-music/raw/ by hand")


def test_two_urls_ending_in_the_same_name_are_refused(tasks, real):
    clash = dict(tasks)
    dvd = tasks["cls-dvd"]
    clash["cls-dvd"] = dataclasses.replace(dvd, source={"url": "https://elsewhere.org/cls.books.zip"})
    with pytest.raises(SheetError, match=r"tasks cls-books, cls-dvd: source: two URLs ending in cls.books.zip"):
        download_index(clash, raw_files, real, CHECKPOINT_FILES)


def test_a_task_download_may_not_take_the_checkpoints_name(tasks, real):
    clash = dict(tasks)
    clash["cls-dvd"] = dataclasses.replace(tasks["cls-dvd"], source={"url": "https://elsewhere.org/checkpoint.zip"})
    with pytest.raises(SheetError, match="tasks cls-dvd: source: a download named checkpoint.zip"):
        download_index(clash, raw_files, real, CHECKPOINT_FILES)
