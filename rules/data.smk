# The labelled splits of every task, checked, tokenized and binarized for every branch
# (fairseq's RoBERTa GLUE layout), and the checkpoint checked before any fine-tuning.


rule check_checkpoint:
    input:
        checkpoint=pretrained_file("model.pt"),
        dictionary=pretrained_file("dict.txt"),
    output:
        pretrained_file("checkpoint_check.json"),
    log:
        "logs/{mode}/check_checkpoint.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(5),
    params:
        hp=lambda wildcards: recipe_values(config, wildcards.mode),
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
        "../envs/workflow.yaml"
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
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(15),
    params:
        splits=SPLITS,
        labels=task_labels,
    script:
        "../scripts/data/binarize_splits.py"
