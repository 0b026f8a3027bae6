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
        **export_params,
    script:
        "../scripts/export/export_fairseq.py"


# The HF branch's and the PEFT branch's runs: their best-valid weights (best_valid.pt) in the
# run's model, saved as the method allows (merged, a peft adapter, or the trained tensors).
rule export_hf:
    input:
        runs=group_table("hf"),
        predictions=group_predictions("hf"),
        weights=lambda wildcards: [
            f"{run_dir(wildcards.task, wildcards.init, seed, 'hf')}/best_valid.pt"
            for seed in config["seeds"]
        ],
        base=hf_model(),
        test=jsonl_split("test"),
    output:
        directory("exports/{task}/hf-{init}"),
    log:
        "logs/{task}/export_hf/{init}.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(15),
    params:
        **export_params,
        select=lambda wildcards: {"init": wildcards.init},
        spec=None,
        method_description="",
        hub_name=None,
    script:
        "../scripts/export/export_trained.py"


use rule export_hf as export_peft with:
    input:
        runs=group_table("peft"),
        predictions=group_predictions("peft"),
        weights=lambda wildcards: [
            f"runs/{wildcards.task}/peft/{wildcards.model}/{wildcards.method}/seed{seed}/best_valid.pt"
            for seed in peft_setting("seeds")(wildcards)
        ],
        base=peft_model_folder,
        test=jsonl_split("test"),
    output:
        directory("exports/{task}/peft-{model}-{method}"),
    log:
        "logs/{task}/export_peft/{model}_{method}.log",
    wildcard_constraints:
        method=names_pattern(config["peft"]["methods"]),
        model=names_pattern(MODELS),
    params:
        **export_params,
        select=lambda wildcards: {
            "model": wildcards.model,
            "method": wildcards.method,
        },
        spec=peft_method_spec,
        method_description=lambda wildcards: peft_describe(peft_method_spec(wildcards)),
        hub_name=lambda wildcards: MODELS[wildcards.model].source.get("hub"),


rule export:
    input:
        lambda wildcards: export_targets(),


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
