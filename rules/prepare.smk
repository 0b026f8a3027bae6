# Check, tokenize and binarize the labelled splits (fairseq's RoBERTa GLUE layout).


rule check_checkpoint:
    input:
        checkpoint="models/{mode}/pretrained/model.pt",
        dictionary="models/{mode}/pretrained/dict.txt",
    output:
        "models/{mode}/pretrained/checkpoint_check.json",
    log:
        "logs/{mode}/check_checkpoint.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=4000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/check_checkpoint.py"


rule prepare_split:
    input:
        review="data/{mode}/raw/{split}.review",
        label="data/{mode}/raw/{split}.label",
        spm="models/{mode}/pretrained/sentencepiece.bpe.model",
    output:
        review="data/{mode}/prepared/{split}.spm.review",
        label="data/{mode}/prepared/{split}.label",
    params:
        labels=config["labels"],
    log:
        "logs/{mode}/prepare_split/{split}.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/prepare_split.py"


rule binarize:
    input:
        reviews=expand("data/{{mode}}/prepared/{split}.spm.review", split=SPLITS),
        labels=expand("data/{{mode}}/prepared/{split}.label", split=SPLITS),
        dictionary="models/{mode}/pretrained/dict.txt",
    output:
        directory("data/{mode}/bin"),
    params:
        splits=SPLITS,
        labels=config["labels"],
    log:
        "logs/{mode}/binarize.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/binarize_splits.py"
