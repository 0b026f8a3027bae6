# Exports: the best-valid seed of each group as a folder transformers loads offline
# (AutoModelForSequenceClassification, AutoTokenizer), with its model card README.md:
#   snakemake --cores 4 export


include: "helpers/export.smk"


rule export_fairseq:
    input:
        runs=group_table("fairseq"),
        predictions=group_predictions("fairseq"),
        checkpoints=lambda wildcards: [
            f"{run_dir(wildcards.task, wildcards.init, seed)}/checkpoint_best.pt"
            for seed in config["seeds"]
        ],
        dictionary=task_checkpoint("dict.txt"),
        spm=task_checkpoint("sentencepiece.bpe.model"),
        data_bin=data_bin(),
        test=jsonl_split("test"),
    output:
        directory("exports/{task}/fairseq-{init}"),
    log:
        "logs/{task}/export_fairseq/{init}.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(15),
    params:
        task=task_info,
        labels=task_labels,
        export=config["export"],
        base_description=lambda wildcards: model_for(
            MODELS, "auto", wildcards.task, task_mode(wildcards)
        ).description,
    script:
        "../scripts/export/export_fairseq.py"


rule export:
    input:
        [
            f"exports/{task}/fairseq-{init}"
            for task in RUN_TASKS
            for init in config["inits"]
            if "fairseq" in BRANCHES
        ],


# A user's file labelled by an exported model (config predict: task, input, model):
#   snakemake --cores 4 predict --config 'predict={task: demo, input: my_reviews.txt}'
rule label_file:
    input:
        model=lambda wildcards: f"exports/{wildcards.task}/{config['predict']['model']}",
        texts=lambda wildcards: config["predict"]["input"],
    output:
        "predictions/{task}/{stem}.tsv",
    log:
        "logs/{task}/label_file/{stem}.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(30),
    params:
        model=config["predict"]["model"],
        pair=lambda wildcards: is_pair(wildcards.task),
    script:
        "../scripts/export/predict.py"


rule predict:
    input:
        lambda wildcards: predict_target(),
