# The data branch: the real inputs (downloaded or placed by hand), the offline demo's inputs
# (built here), and the labelled splits checked, tokenized and binarized for every branch.


# Real inputs, downloaded as archives (kept in data/downloads/): the RoBERTa_small_fr checkpoint,
# unpacked file by file into models/real/pretrained/, and each task's archive (config/tasks.yaml),
# imported into data/<task>/raw/. A file placed there by hand counts as done: its job then needs
# no archive, so nothing is downloaded for it (see needs_archive and task_source in common.smk).


rule download_real_archive:
    output:
        archive(),
    log:
        "logs/real/download_{kind}.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(30),
    params:
        url=lambda wildcards: config["data"]["real"]["urls"][wildcards.kind],
        sha256=lambda wildcards: config["data"]["real"]["sha256"][wildcards.kind],
        provides=checkpoint_files("real"),
    script:
        "../scripts/data/download_real_archive.py"


rule download_task_archive:
    output:
        "data/downloads/{archive_name}",
    log:
        "logs/downloads/{archive_name}.log",
    wildcard_constraints:
        archive_name=names_pattern(
            {archive_name(u) for t in TASKS.values() for u in t.download_urls()}
        ),
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(30),
    params:
        url=lambda wildcards: download_url(wildcards.archive_name),
        tasks=lambda wildcards: [
            TASKS[t] for t in download_tasks(wildcards.archive_name)
        ],
        provides=lambda wildcards: [
            raw_split_files(t) for t in download_tasks(wildcards.archive_name)
        ],
    script:
        "../scripts/data/download_task_archive.py"


# A task of the sheet read from its archive or folder, in its format, into the raw layout
# (valid carved from train when the source has none: the ids in data/<task>/split_ids.tsv).
rule import_task:
    input:
        task_source,
    output:
        raw=raw_split_files("{task}"),
        split_ids=split_ids(),
    log:
        "logs/{task}/import_task.log",
    wildcard_constraints:
        task=names_pattern(
            t
            for t in TASKS
            if TASKS[t].source_kind != "generator" and not TASKS[t].is_pair
        ),
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        task=lambda wildcards: TASKS[wildcards.task],
    script:
        "../scripts/data/import_task.py"


# The same for a sentence-pair task: its second texts in <split>.review2.
rule import_pair_task:
    input:
        task_source,
    output:
        raw=raw_split_files("{task}", pair=True),
        split_ids=split_ids(),
    log:
        "logs/{task}/import_task.log",
    wildcard_constraints:
        task=names_pattern(
            t
            for t in TASKS
            if TASKS[t].source_kind != "generator" and TASKS[t].is_pair
        ),
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        task=lambda wildcards: TASKS[wildcards.task],
    script:
        "../scripts/data/import_task.py"


rule unpack_real_checkpoint:
    input:
        needs_archive("checkpoint", pretrained_file("{name}", "real")),
    output:
        pretrained_file("{name}", "real"),
    log:
        "logs/real/unpack_checkpoint/{name}.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    script:
        "../scripts/data/unpack_real_checkpoint.py"


# The offline demo: a synthetic review set and a tiny RoBERTa pretrained here as a masked LM,
# laid out exactly like the real inputs (data/demo/raw/, models/demo/pretrained/).


rule make_demo_corpus:
    output:
        splits=raw_split_files("demo"),
        pretrain="data/demo/raw/pretrain.review",
    log:
        "logs/demo/make_demo_corpus.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(5),
    params:
        corpus=config["data"]["demo"]["corpus"],
    script:
        "../scripts/data/make_demo_corpus.py"


# The demo's sentence-pair task (generator demo_pairs): pairs of the demo's reviews, labelled by
# whether both share a polarity, so that the pair path of every branch runs offline.
rule make_demo_pairs:
    input:
        **{
            f"{split}_{ext}": raw_file(split, ext, "demo")
            for split in SPLITS
            for ext in ("review", "label")
        },
    output:
        raw_split_files("{task}", pair=True),
    log:
        "logs/{task}/make_demo_pairs.log",
    wildcard_constraints:
        task=names_pattern(
            t for t in TASKS if TASKS[t].source.get("generator") == "demo_pairs"
        ),
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(5),
    params:
        seed=0,
    script:
        "../scripts/data/make_demo_pairs.py"


rule train_demo_sentencepiece:
    input:
        rules.make_demo_corpus.output.pretrain,
    output:
        pretrained_file("sentencepiece.bpe.model", "demo"),
    log:
        "logs/demo/train_demo_sentencepiece.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        vocab_size=config["data"]["demo"]["spm_vocab_size"],
    script:
        "../scripts/data/train_demo_sentencepiece.py"


rule binarize_demo_pretrain_text:
    input:
        text=rules.make_demo_corpus.output.pretrain,
        spm=pretrained_file("sentencepiece.bpe.model", "demo"),
    output:
        data_bin=directory("data/demo/mlm_bin"),
        dictionary=pretrained_file("dict.txt", "demo"),
    log:
        "logs/demo/binarize_demo_pretrain_text.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    script:
        "../scripts/data/binarize_demo_pretrain_text.py"


rule pretrain_demo_mlm:
    input:
        data_bin=rules.binarize_demo_pretrain_text.output.data_bin,
    output:
        checkpoint=pretrained_file("model.pt", "demo"),
        steps=directory("runs/demo/mlm/steps"),
        tensorboard=directory("runs/demo/mlm/tensorboard"),
    log:
        "logs/demo/pretrain_demo_mlm.log",
    benchmark:
        "benchmarks/demo/pretrain_demo_mlm.tsv"
    conda:
        "../envs/fairseq.yaml"
    # One thread, as the other training jobs: a 2-thread job beside other busy jobs on 2 cores
    # ran at 1 update/s instead of 20 (OpenMP threads waiting on each other).
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(30),
    params:
        placement=PLACEMENT,
        hp=config["data"]["demo"]["pretrain"],
    script:
        "../scripts/data/pretrain_demo_mlm.py"


# Check, tokenize and binarize the labelled splits (fairseq's RoBERTa GLUE layout).


rule check_checkpoint:
    input:
        checkpoint=pretrained_file("model.pt"),
        dictionary=pretrained_file("dict.txt"),
    output:
        pretrained_file("checkpoint_check.json"),
    log:
        "logs/{mode}/check_checkpoint.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(5),
    params:
        hp=lambda wildcards: recipe_values(wildcards.mode),
    script:
        "../scripts/data/check_checkpoint.py"


rule prepare_split:
    input:
        review=raw_file("{split}", "review"),
        label=raw_file("{split}", "label"),
        spm=task_checkpoint("sentencepiece.bpe.model"),
        dictionary=task_checkpoint("dict.txt"),
    output:
        review=prepared_file("{split}", "spm.review"),
        label=prepared_file("{split}", "label"),
    log:
        "logs/{task}/prepare_split/{split}.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        labels=task_labels,
    script:
        "../scripts/data/prepare_split.py"


# A pair task's second texts, checked and encoded the same way (their count against the labels).
use rule prepare_split as prepare_second_text with:
    input:
        review=raw_file("{split}", "review2"),
        label=raw_file("{split}", "label"),
        spm=task_checkpoint("sentencepiece.bpe.model"),
        dictionary=task_checkpoint("dict.txt"),
    output:
        review=prepared_file("{split}", "spm.review2"),
    log:
        "logs/{task}/prepare_second_text/{split}.log",


rule binarize_splits:
    input:
        reviews=[prepared_file(split, "spm.review") for split in SPLITS],
        reviews2=second_texts("prepared"),
        labels=[prepared_file(split, "label") for split in SPLITS],
        dictionary=task_checkpoint("dict.txt"),
    output:
        directory(data_bin()),
    log:
        "logs/{task}/binarize_splits.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(15),
    params:
        splits=SPLITS,
        labels=task_labels,
    script:
        "../scripts/data/binarize_splits.py"
