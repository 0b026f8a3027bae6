# The data branch: the real inputs (downloaded or placed by hand), the offline demo's inputs
# (built here), and the labelled splits checked, tokenized and binarized for every branch.


# Real inputs: CLS-books and the RoBERTa_small_fr checkpoint, downloaded as zip archives
# (kept in data/downloads/) and unpacked file by file into data/real/raw/ and
# models/real/pretrained/. A file placed there by hand counts as done: its unpack job then
# needs no archive, so nothing is downloaded for it (see needs_archive in common.smk).


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
        provides=lambda wildcards: REAL_ARCHIVE_FILES[wildcards.kind],
    script:
        "../scripts/data/download_real_archive.py"


rule unpack_real_data:
    input:
        needs_archive("data", raw_file("{split}", "{ext}", "real")),
    output:
        raw_file("{split}", "{ext}", "real"),
    log:
        "logs/real/unpack_data/{split}.{ext}.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        valid_size=config["data"]["real"]["valid_size"],
    script:
        "../scripts/data/unpack_real_data.py"


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
        hp=finetune_hp,
    script:
        "../scripts/data/check_checkpoint.py"


rule prepare_split:
    input:
        review=raw_file("{split}", "review"),
        label=raw_file("{split}", "label"),
        spm=pretrained_file("sentencepiece.bpe.model"),
        dictionary=pretrained_file("dict.txt"),
    output:
        review=prepared_file("{split}", "spm.review"),
        label=prepared_file("{split}", "label"),
    log:
        "logs/{mode}/prepare_split/{split}.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        labels=config["labels"],
    script:
        "../scripts/data/prepare_split.py"


rule binarize_splits:
    input:
        reviews=[prepared_file(split, "spm.review") for split in SPLITS],
        labels=[prepared_file(split, "label") for split in SPLITS],
        dictionary=pretrained_file("dict.txt"),
    output:
        directory(data_bin()),
    log:
        "logs/{mode}/binarize_splits.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(15),
    params:
        splits=SPLITS,
        labels=config["labels"],
    script:
        "../scripts/data/binarize_splits.py"
