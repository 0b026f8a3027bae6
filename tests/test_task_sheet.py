"""Tasks as data: the task sheet (config/tasks.yaml), a task's source read in each format, valid
carved from train by a seeded draw, bad entries refused at start-up in one line, and a task
defined only in a test's own sheet run through every classification branch."""
import io
import json
import tarfile

import pytest
import yaml

from conftest import REPO, error_lines, job_counts, make_workdir, run_snakemake, seed_workdir
from ftlib.core.errors import InputError
from ftlib.data.task_sources import carve_valid, read_cls_xml, task_splits
from ftlib.data.tasks import SheetError, Task, load_tasks

SCHEMA = REPO / "config/tasks.schema.yaml"


def sheet(tmp_path, *entries, name="sheet.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"tasks": list(entries)}, sort_keys=False))
    return path


def entry(name="mine", **extra):
    base = {"name": name, "description": "a test task", "mode": "demo", "source": {"folder": "x"},
            "format": "tsv", "columns": {"text": "text", "label": "label"}, "labels": ["neg", "pos"]}
    return {**base, **extra}


def test_the_shipped_sheet_loads_and_names_its_tasks():
    tasks = load_tasks([REPO / "config/tasks.yaml"], SCHEMA)
    assert list(tasks)[:2] == ["demo", "cls-books"]
    books = tasks["cls-books"]
    assert books.mode == "real" and books.source_kind == "url" and books.source_splits() == ["train", "test"]
    assert {r["source"] for r in books.references} == {"report A", "report B"}
    assert tasks["demo"].source_kind == "generator"


@pytest.mark.parametrize("bad, message", [
    (entry(colour="red"), "task mine: entry: Additional properties are not allowed ('colour' was unexpected)"),
    (entry(mode="huge"), "task mine: mode: 'huge' is not one of ['demo', 'real']"),
    (entry(source={"folder": "x", "url": "http://h/a.zip"}), "task mine: source:"),
    (entry(columns={"text": "a"}), "task mine: columns: 'label' is a required property"),
    ({k: v for k, v in entry().items() if k != "columns"},
     "task mine: columns: format tsv needs the text and label columns"),
    (entry(name="real"), "task real: name:"),
])
def test_a_bad_entry_is_one_line_naming_the_task_and_the_key(tmp_path, bad, message):
    with pytest.raises(SheetError) as found:
        load_tasks([sheet(tmp_path, bad)], SCHEMA)
    assert message in str(found.value) and "\n" not in str(found.value)
    assert str(found.value).startswith(str(tmp_path / "sheet.yaml"))


def test_two_tasks_with_one_name_are_refused(tmp_path):
    first, second = sheet(tmp_path, entry(), name="a.yaml"), sheet(tmp_path, entry(), name="b.yaml")
    with pytest.raises(SheetError, match=r"b.yaml: task mine: name: two tasks with one name \(also in .*a.yaml\)"):
        load_tasks([first, second], SCHEMA)


def test_valid_is_carved_by_a_seeded_stratified_draw():
    labels = ["0"] * 60 + ["1"] * 40
    carved = carve_valid(labels, 0.1, seed=3)
    assert carved == carve_valid(labels, 0.1, seed=3) != carve_valid(labels, 0.1, seed=4)
    assert len(carved) == 10 and sum(labels[i] == "1" for i in carved) == 4  # the share of each label
    assert len(carve_valid(labels, 20, seed=0)) == 20


def write_tsv(path, rows, columns=("text", "label")):
    path.write_text("\t".join(columns) + "\n" + "".join("\t".join(r) + "\n" for r in rows))


def test_tsv_and_jsonl_sources_read_their_columns(tmp_path):
    folder = tmp_path / "tsv"
    folder.mkdir()
    for split in ("train", "test"):
        write_tsv(folder / f"{split}.tsv", [(f"{split} {i} \"quoted\"", "pos" if i % 2 else "neg")
                                            for i in range(20)])
    task = Task(**entry(source={"folder": str(folder)}, valid={"size": 4, "seed": 0}))
    splits, ids = task_splits(task, folder, folder)
    assert len(splits["train"][0]) == 16 and len(splits["valid"][0]) == 4 and len(splits["test"][0]) == 20
    assert splits["test"][0][0] == 'test 0 "quoted"'  # GLUE's bare quotes kept as text
    assert [i for i in ids if i[0] == "valid"] == [("valid", "train", n) for n in
                                                   sorted(n for s, src, n in ids if s == "valid")]
    jfolder = tmp_path / "jsonl"
    jfolder.mkdir()
    for split in ("train", "valid", "test"):
        (jfolder / f"{split}.jsonl").write_text("".join(json.dumps({"review": f"r{i}\nsuite", "y": "pos"}) + "\n"
                                                        for i in range(3)))
    jtask = Task(**entry(source={"folder": str(jfolder)}, format="jsonl", columns={"text": "review", "label": "y"}))
    jsplits, _ = task_splits(jtask, jfolder, jfolder)
    assert jsplits["valid"] == (["r0 suite", "r1 suite", "r2 suite"], ["pos"] * 3)  # one text per line


def test_a_label_or_column_the_sheet_does_not_know_names_the_file_and_line(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    write_tsv(folder / "train.tsv", [("a", "neg"), ("b", "meh")])
    write_tsv(folder / "valid.tsv", [("a", "neg")])
    write_tsv(folder / "test.tsv", [("a", "neg")])
    task = Task(**entry(source={"folder": str(folder)}))
    with pytest.raises(InputError, match=r"train.tsv:3: task mine: label 'meh' is not in the sheet's label set"):
        task_splits(task, folder, folder)
    renamed = Task(**entry(source={"folder": str(folder)}, columns={"text": "sentence", "label": "label"}))
    with pytest.raises(InputError, match=r"train.tsv: task mine: columns.text: no column 'sentence' "
                                         r"\(the file has 'text', 'label'\)"):
        task_splits(renamed, folder, folder)


def test_a_header_without_rows_or_a_row_with_a_tab_in_its_text_says_so(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    for split in ("valid", "test"):
        write_tsv(folder / f"{split}.tsv", [("a", "neg")])
    task = Task(**entry(source={"folder": str(folder)}))
    (folder / "train.tsv").write_text("text\tlabel\n")
    with pytest.raises(InputError, match=r"train.tsv: a header line \('text', 'label'\) and no rows$"):
        task_splits(task, folder, folder)
    (folder / "train.tsv").write_text("text\tlabel\na\tneg\nb\tpos\nun\ttab\tpos\n")
    with pytest.raises(InputError, match=r"train.tsv:4: 3 fields, the header 2 \(a tab inside a text\?\)$"):
        task_splits(task, folder, folder)
    (folder / "train.tsv").write_text("text\tlabel\na\tneg\nshort\n")
    with pytest.raises(InputError, match=r"train.tsv:3: 1 field, the header 2"):
        task_splits(task, folder, folder)


def cls_archive(path, domain="dvd"):
    """A tiny archive of Webis-CLS-10's layout, as FLUE reads it."""
    def review(i, rating):
        return (f"<item><rating>{rating}.0</rating><title>Titre {i}</title>"
                f"<text>Texte {i} &amp; suite\nligne</text></item>\n")
    files = {f"cls-acl10-unprocessed/fr/{domain}/train.review": "".join(review(i, 5 if i % 2 else 1)
                                                                      for i in range(40)),
             f"cls-acl10-unprocessed/fr/{domain}/test.review": "".join(review(i, 4 if i % 2 else 2)
                                                                     for i in range(10))}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_cls_xml_reviews_are_read_as_flue_reads_them(tmp_path):
    archive = cls_archive(tmp_path / "cls.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    texts, labels = read_cls_xml(next((tmp_path / "x").rglob("test.review")), title_in_text=True)
    assert texts[1] == "Texte 1 & suite ligne Titre 1" and labels[:2] == ["0", "1"]  # 2 -> 0, 4 -> 1


def test_an_archive_task_is_downloaded_checked_imported_and_its_split_ids_written(tmp_path):
    """A FLUE CLS domain from its (local, file://) archive: the real download, check and parsing code."""
    archive = cls_archive(tmp_path / "cls-acl10-unprocessed.tar.gz")
    own = sheet(tmp_path, {"name": "cls-dvd-mini", "description": "FLUE CLS dvd, tiny", "mode": "real",
                           "source": {"url": archive.as_uri(), "sha256": ""}, "format": "cls_xml",
                           "files": {"train": "fr/dvd/train.review", "test": "fr/dvd/test.review"},
                           "title_in_text": True, "labels": ["0", "1"], "valid": {"size": 0.1, "seed": 0}})
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"task_sheets": [str(own)], "tasks": ["cls-dvd-mini"]}))
    work = make_workdir(tmp_path / "work")
    run_snakemake(work, "data/cls-dvd-mini/split_ids.tsv", "--configfile", str(config), configfile=None)
    raw = work / "data/cls-dvd-mini/raw"
    assert len((raw / "train.label").read_text().splitlines()) == 36
    assert (raw / "valid.label").read_text().splitlines().count("1") == 2  # 4 carved, 2 per label
    ids = (work / "data/cls-dvd-mini/split_ids.tsv").read_text().splitlines()
    assert ids[0] == "split\tsource_split\tsource_line" and len(ids) == 1 + 40 + 10
    assert (work / "data/downloads/cls-acl10-unprocessed.tar.gz").is_file()
    assert "cls-acl10-unprocessed.tar.gz" in (work / "data/downloads/checksums.tsv").read_text()


def test_a_real_task_offline_stops_in_one_line_naming_what_to_place(tmp_path):
    proc = run_snakemake(make_workdir(tmp_path), "data/cls-books/raw/train.review",
                         configfile="real_from_demo.yaml", check=False)
    errors = error_lines(proc)
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR: data/downloads/cls.books.zip: cannot download http://127.0.0.1:9/cls.books.zip"), errors
    assert "put the archive at data/downloads/cls.books.zip, or the files train.review" in errors[0]
    assert "into data/cls-books/raw/ by hand" in errors[0]


def user_folder(demo_run, folder):
    """A user's own folder of review pairs: the demo's reviews as TSV files with named columns,
    each paired with another review of its split, labelled by whether both share a polarity
    (words, not digits), no valid split (carved by the sheet's rule)."""
    from ftlib.data.demo_pairs import make_pairs

    folder.mkdir(parents=True)
    for split in ("train", "test"):
        reviews = (demo_run / f"data/demo/raw/{split}.review").read_text().splitlines()
        labels = (demo_run / f"data/demo/raw/{split}.label").read_text().splitlines()
        pairs, same = make_pairs(reviews, labels, seed=5)
        words = ["même" if label == "1" else "opposé" for label in same]
        write_tsv(folder / f"{split}.tsv", [(w, a, b) for w, (a, b) in zip(words, pairs)],
                  columns=("polarité", "avis1", "avis2"))
    return folder


def own_task(folder, **extra):
    return {"name": "mes-paires", "description": "a user's folder of review pairs", "mode": "demo",
            "source": {"folder": str(folder)}, "format": "tsv",
            "columns": {"text": "avis1", "text2": "avis2", "label": "polarité"}, "labels": ["opposé", "même"],
            "valid": {"size": 12, "seed": 0}, **extra}


def test_bad_entries_stop_the_workflow_at_start_up_in_one_line(demo_run, tmp_path):
    folder = user_folder(demo_run, tmp_path / "avis")
    cases = [
        (own_task(folder, labels=["opposé", "autre"]),
         "task mes-paires: label 'même' is not in the sheet's label set {opposé, autre}"),
        (own_task(folder, columns={"text": "avis1", "text2": "avis_2", "label": "polarité"}),
         "task mes-paires: columns.text2: no column 'avis_2'"),
        (own_task(folder, colour="red"),
         "task mes-paires: entry: Additional properties are not allowed ('colour' was unexpected)"),
        (own_task(folder, name="demo"), "task demo: name: two tasks with one name"),
        (own_task(tmp_path / "nowhere"), "nowhere: task mes-paires: source.folder: no such folder"),
    ]
    for bad, message in cases:
        own = sheet(tmp_path, bad)
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({"task_sheets": ["config/tasks.yaml", str(own)],
                                          "tasks": [bad["name"]]}, allow_unicode=True))
        proc = run_snakemake(make_workdir(tmp_path / "work"), "-n", "all", "--configfile", str(config),
                             configfile=None, check=False)
        assert proc.returncode != 0
        lines = [line for line in (proc.stdout + proc.stderr).splitlines() if message in line]
        assert lines, (message, (proc.stdout + proc.stderr)[-2000:])
        assert not (tmp_path / "work/data/mes-paires").exists()  # refused before any job


def test_a_pair_task_defined_only_in_a_test_sheet_runs_through_every_branch(demo_run, tmp_path):
    """Adding a task is one sheet entry: a folder of TSV files of sentence pairs with its own column
    names and word labels, fine-tuned by fairseq, HF and PEFT with nothing else changed; both
    toolkits feed a pair as fairseq's GLUE recipe does (<s> A </s> </s> B </s>)."""
    work = seed_workdir(demo_run, tmp_path / "work")  # the demo's checkpoint, already built
    own = sheet(tmp_path, own_task(user_folder(demo_run, tmp_path / "paires")))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"task_sheets": ["config/tasks.yaml", str(own)],
                                      "tasks": ["mes-paires"]}, allow_unicode=True))
    targets = ["reports/mes-paires/fairseq_report.md", "reports/mes-paires/comparison_report.md",
               "reports/mes-paires/peft_report.md"]
    dry = job_counts(run_snakemake(work, "-n", *targets, "--configfile", str(CONFIGS_DEMO), str(config),
                                   configfile=None).stdout)
    assert dry["import_pair_task"] == 1 and dry["prepare_second_text"] == 3
    assert "pretrain_demo_mlm" not in dry  # one checkpoint per mode, already there
    run_snakemake(work, *targets, "--configfile", str(CONFIGS_DEMO), str(config), configfile=None)
    for branch, run in [("fairseq", "pretrained"), ("fairseq", "scratch"), ("hf", "pretrained"),
                        ("peft", "demo-roberta/bitfit"), ("peft", "demo-roberta/lora_q_r4")]:
        metrics = json.loads((work / f"runs/mes-paires/{branch}/{run}/seed0/metrics.json").read_text())
        assert 0 <= metrics["test_accuracy"] <= 100
        gold = {line.split("\t")[1] for line in
                (work / f"runs/mes-paires/{branch}/{run}/seed0/predictions.tsv").read_text().splitlines()[1:]}
        assert gold == {"opposé", "même"}  # the sheet's labels, end to end
    assert (work / "data/mes-paires/bin/input1/dict.txt").is_file()  # fairseq's second input
    report = (work / "reports/mes-paires/fairseq_report.md").read_text()
    assert "# fairseq fine-tuning report (mes-paires)" in report
    assert "The task sheet lists no published reference for this task." in report
    valid = (work / "data/mes-paires/raw/valid.label").read_text().splitlines()
    assert len(valid) == 12 and set(valid) == {"opposé", "même"}
    assert_same_pair_ids(work, "mes-paires")


def assert_same_pair_ids(work, task):
    """The test pairs' token ids as fairseq's sentence_prediction task builds them (input0,
    separator, input1, truncated) equal the HF tokenizer's pair encoding, example by example."""
    import fairseq_plugin  # noqa: F401
    from fairseq import checkpoint_utils
    from transformers import AutoTokenizer

    _, _, fs_task = checkpoint_utils.load_model_ensemble_and_task(
        [str(work / f"runs/{task}/fairseq/pretrained/seed0/checkpoint_best.pt")],
        arg_overrides={"data": str(work / f"data/{task}/bin")})
    fs_task.load_dataset("test")
    dataset = fs_task.dataset("test")
    tokenizer = AutoTokenizer.from_pretrained(work / f"models/{task}/hf_pretrained")
    rows = [json.loads(line) for line in (work / f"data/{task}/jsonl/test.jsonl").read_text().splitlines()]
    encoded = tokenizer([r["sentence1"] for r in rows], [r["sentence2"] for r in rows])["input_ids"]
    for i, ids in enumerate(encoded):
        assert dataset[i]["net_input.src_tokens"].tolist() == ids[:256], i


CONFIGS_DEMO = REPO / "tests/configs/demo_small.yaml"


def test_the_summary_groups_each_task_and_judges_its_references(tmp_path):
    import pandas as pd

    from ftlib.core.summary import plot, summary_rows
    from ftlib.core.verdict import FOR_SCALE, verdict, verdict_cell

    def runs(values, branch="fairseq", kind=None):
        return pd.DataFrame([{"branch": branch, "run": run, "seed": s, "test_accuracy": v, "kind": kind}
                             for run, vs in values.items() for s, v in enumerate(vs)]
                            + [{"branch": "bloom", "run": "lora", "seed": 0, "test_accuracy": float("nan")}])

    report_b = [{"branch": "fairseq", "init": "pretrained", "source": "report B", "seeds": [81.5, 78.0, 82.5]}]
    books = {"name": "cls-books", "references": report_b}  # references_for absent: a verdict
    mine = {"name": "mine", "references": report_b, "references_for": "scale"}
    sst2 = {"name": "sst2", "references": []}
    study = {"name": "a study", "accuracy": [{"task": "sst2", "method": "bitfit", "value": 90.0}]}
    studies = [study, {"name": "other", "model": "t5-small",
                       "accuracy": [{"task": "sst2", "method": "t5_lora", "value": 88.9, "kind": "lora"}]}]
    tables = [runs({"pretrained": [80.0, 82.0, 84.0], "scratch": [60.0, 62.0, 64.0]}),
              runs({"pretrained": [70.0]}),
              pd.concat([runs({"bitfit": [89.0, 90.5, 90.0]}, "peft", "bitfit"), runs({"lora_q": [88.0]}, "peft", "lora")])]
    rows, points = summary_rows([books, mine, sst2], tables, {"margin": 2.0, "alpha": 0.05},
                                {"study": study, "studies": studies})
    judged = verdict_cell(verdict([80.0, 82.0, 84.0], [81.5, 78.0, 82.5]))
    assert judged.startswith("consistent: d = +1.3 [")
    assert rows[0] == ["cls-books", "fairseq", "pretrained", "82.0 ± 2.00 (n=3)", "[77.0, 87.0]",
                       "report B: 80.7 ± 1.93", judged]
    assert rows[1][5:] == ["—", "—"]  # no reference for scratch
    assert rows[2] == ["mine", "fairseq", "pretrained", "70.0 (n=1)", "n/a", "report B: 80.7 ± 1.93", FOR_SCALE]
    # the run's own study: its value taken as exact (one-sample); another study's method of the kind: for scale
    assert rows[3][2] == "bitfit" and rows[3][5:] == ["a study: 90.0", verdict_cell(verdict([89.0, 90.5, 90.0], 90.0))]
    assert rows[3][6].startswith("**reproduced**")
    assert rows[4][2] == "lora_q" and rows[4][5:] == ["other studies: t5-small: sst2 88.9", FOR_SCALE]
    assert len(rows) == 5  # BLOOM's rows (no test accuracy) left out
    plot(points, tmp_path / "summary.png")
    assert (tmp_path / "summary.png").stat().st_size > 1000


def test_a_pair_task_reads_both_texts_and_refuses_a_row_without_its_second(tmp_path):
    folder = tmp_path / "pairs"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        write_tsv(folder / f"{split}.tsv", [("a b", "c d", "pos"), ("e", "f", "neg")],
                  columns=("s1", "s2", "label"))
    task = Task(**entry(source={"folder": str(folder)}, columns={"text": "s1", "text2": "s2", "label": "label"}))
    assert task.is_pair and task.text_files() == ["review", "review2"]
    splits, _ = task_splits(task, folder, folder)
    assert splits["test"] == ([("a b", "c d"), ("e", "f")], ["pos", "neg"])
    write_tsv(folder / "test.tsv", [("a b", "c d", "pos"), ("e", "", "neg")], columns=("s1", "s2", "label"))
    with pytest.raises(InputError, match=r"test.tsv:3: task mine: a pair task's row without its second text"):
        task_splits(task, folder, folder)


def test_the_demo_pairs_share_a_polarity_when_their_reviews_do():
    from ftlib.data.demo_pairs import make_pairs

    reviews, labels = [f"r{i}" for i in range(50)], ["1" if i % 3 else "0" for i in range(50)]
    pairs, same = make_pairs(reviews, labels, seed=1)
    assert (pairs, same) == make_pairs(reviews, labels, seed=1)
    for (a, b), label in zip(pairs, same):
        assert a != b and label == ("1" if labels[int(a[1:])] == labels[int(b[1:])] else "0")


def test_a_task_of_plain_files_per_split_is_downloaded_and_imported_as_pairs(tmp_path):
    """MRPC's layout (MSR's files: a byte-order mark, '#1 String' columns, bare quotes) from one
    URL per split (file:// here: the real download and import code, offline)."""
    header = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
    files = {}
    for split, n in (("train", 30), ("test", 6)):
        path = tmp_path / f"msr_paraphrase_{split}.txt"
        path.write_text(header + "".join(f"{i % 2}\t{i}\t{i + 100}\tHe said \"yes\" {i}\tShe said no {i}\n"
                                         for i in range(n)), encoding="utf-8")
        files[split] = path.as_uri()
    own = sheet(tmp_path, {"name": "mrpc-mini", "description": "MRPC's layout, tiny", "mode": "real",
                           "source": {"urls": files}, "format": "tsv",
                           "columns": {"text": "#1 String", "text2": "#2 String", "label": "Quality"},
                           "labels": ["0", "1"], "valid": {"size": 6, "seed": 0}})
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"task_sheets": [str(own)], "tasks": ["mrpc-mini"]}))
    work = make_workdir(tmp_path / "work")
    run_snakemake(work, "data/mrpc-mini/split_ids.tsv", "--configfile", str(config), configfile=None)
    raw = work / "data/mrpc-mini/raw"
    assert (raw / "test.review").read_text().splitlines()[0] == 'He said "yes" 0'
    assert (raw / "test.review2").read_text().splitlines()[0] == "She said no 0"
    assert len((raw / "valid.label").read_text().splitlines()) == 6
    assert len((raw / "train.review2").read_text().splitlines()) == 24
    assert (work / "data/downloads/msr_paraphrase_train.txt").is_file()
