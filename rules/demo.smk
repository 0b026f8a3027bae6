# The offline demo: a synthetic review set and a tiny RoBERTa pretrained here as a masked LM,
# laid out exactly like the real inputs (data/demo/raw/, models/demo/pretrained/).


rule make_demo_corpus:
    output:
        splits=raw_split_files("demo"),
        pretrain="data/demo/raw/pretrain.review",
    params:
        corpus=config["demo"]["corpus"],
    log:
        "logs/demo/make_demo_corpus.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/make_demo_corpus.py"


rule train_demo_sentencepiece:
    input:
        "data/demo/raw/pretrain.review",
    output:
        "models/demo/pretrained/sentencepiece.bpe.model",
    params:
        vocab_size=config["demo"]["spm_vocab_size"],
    log:
        "logs/demo/train_demo_sentencepiece.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/train_sentencepiece.py"


rule binarize_demo_pretrain_text:
    input:
        text="data/demo/raw/pretrain.review",
        spm="models/demo/pretrained/sentencepiece.bpe.model",
    output:
        data_bin=directory("data/demo/mlm_bin"),
        dictionary="models/demo/pretrained/dict.txt",
    log:
        "logs/demo/binarize_demo_pretrain_text.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/binarize_pretrain_text.py"


rule pretrain_demo_mlm:
    input:
        data_bin="data/demo/mlm_bin",
    output:
        checkpoint="models/demo/pretrained/model.pt",
        steps=directory("runs/demo/mlm/steps"),
        tensorboard=directory("runs/demo/mlm/tensorboard"),
    params:
        hp=config["demo"]["pretrain"],
    log:
        "logs/demo/pretrain_demo_mlm.log",
    benchmark:
        "benchmarks/demo/pretrain_demo_mlm.tsv"
    # One thread, as the other training jobs: a 2-thread job beside other busy jobs on 2 cores
    # ran at 1 update/s instead of 20 (OpenMP threads waiting on each other).
    threads: config["threads"]["train"]
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/pretrain_mlm.py"
