# Variance by source (config variance): the HF branch's runs with one source of randomness varied
# at a time, the others held at variance.fixed_seed: the initial weights (the new head; every
# weight from scratch), the order of the training examples (data_seed: the fairseq branch's batching, ftlib/data/length_groups.py), the dropout
# masks (Trainer's seed). fairseq's --seed sets all three at once, so its seed spread cannot say
# which matters; here each source's share of the spread is measured. Not part of `all`:
#   snakemake --cores 4 variance


include: "helpers/variance.smk"


use rule finetune_hf as finetune_hf_variance with:
    output:
        metrics="runs/{task}/hf_variance/{init}/{source}/seed{seed}/metrics.json",
        tensorboard=directory(
            "runs/{task}/hf_variance/{init}/{source}/seed{seed}/tensorboard"
        ),
        predictions="runs/{task}/hf_variance/{init}/{source}/seed{seed}/predictions.tsv",
        record="runs/{task}/hf_variance/{init}/{source}/seed{seed}/run.json",
    log:
        "logs/{task}/finetune_hf_variance/{init}_{source}_seed{seed}.log",
    benchmark:
        "benchmarks/{task}/finetune_hf_variance/{init}_{source}_seed{seed}.tsv"
    params:
        placement=PLACEMENT,
        hp=finetune_hp,
        labels=task_labels,
        seeds=variance_seeds,
        branch="hf_variance",
        run=lambda wildcards: f"{wildcards.init}/{wildcards.source}",


rule report_variance:
    input:
        runs=variance_runs("metrics.json"),
        predictions=variance_runs("predictions.tsv"),
    output:
        report=report(
            "reports/{task}/variance.md",
            caption="report/variance.rst",
            category="Variance by source",
        ),
        plot=report(
            "reports/{task}/variance.png",
            caption="report/variance.rst",
            category="Variance by source",
        ),
    log:
        "logs/{task}/report_variance.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        variance=config["variance"],
        task=task_info,
        batching=lambda wildcards: config["finetune"][task_mode(wildcards)].get(
            "batching", "shuffled"
        ),
    script:
        "../scripts/report/report_variance.py"


rule variance:
    input:
        [f"reports/{task}/variance.md" for task in RUN_TASKS],
