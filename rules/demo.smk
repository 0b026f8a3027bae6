# The offline demo's inputs, built here: a synthetic review set and a tiny RoBERTa pretrained as a
# masked LM, laid out exactly like the real inputs (data/demo/raw/, models/demo/pretrained/).


rule make_demo_corpus:
    output:
        splits=raw_split_files("demo"),
        pretrain="data/demo/raw/pretrain.review",
    log:
        "logs/demo/make_demo_corpus.log",
    conda:
        "../envs/workflow.yaml"
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
        "../envs/workflow.yaml"
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
        "../envs/workflow.yaml"
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
        "../envs/workflow.yaml"
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
        "../envs/workflow.yaml"
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
