# The fairseq branch: fine-tuning (one job per init and seed), the probe of the checkpoint,
# the parameter accounting and the report.


include: "helpers/fairseq.smk"


# fairseq-train sentence_prediction: one job per (init, seed), so that
#   snakemake --cores 4 runs/demo/fairseq/pretrained/seed1/metrics.json  (runs/<task>/...)
# reruns that seed alone.


rule finetune_fairseq:
    input:
        unpack(finetune_inputs),
    output:
        metrics="runs/{task}/fairseq/{init}/seed{seed}/metrics.json",
        checkpoint="runs/{task}/fairseq/{init}/seed{seed}/checkpoint_best.pt",
        tensorboard=directory("runs/{task}/fairseq/{init}/seed{seed}/tensorboard"),
        predictions="runs/{task}/fairseq/{init}/seed{seed}/predictions.tsv",
        record="runs/{task}/fairseq/{init}/seed{seed}/run.json",
    log:
        "logs/{task}/finetune_fairseq/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{task}/finetune_fairseq/{init}_seed{seed}.tsv"
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(6000),
        runtime=attempt_scaled(120),
    params:
        placement=PLACEMENT,
        hp=finetune_hp,
        labels=task_labels,
        branch="fairseq",
    script:
        "../scripts/fairseq/finetune_fairseq.py"


# Why pretraining helps, measured before any fine-tuning: a frozen-feature probe of the
# checkpoint vs a random-init encoder (both modes), and (demo) the probe along the masked-LM
# pretraining, to show where the checkpoint starts to carry the label's signal.


rule probe_checkpoint:
    input:
        checkpoint=task_checkpoint("model.pt"),
        dictionary=task_checkpoint("dict.txt"),
        checkpoint_check=task_checkpoint("checkpoint_check.json"),
        splits=prepared_splits(["train", "test"]),
        splits2=second_texts("prepared", ["train", "test"]),
    output:
        probe_json(),
    log:
        "logs/{task}/probe_checkpoint.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(
            lambda wildcards: 5 if task_mode(wildcards) == "demo" else 30
        ),
    params:
        hp=finetune_hp,
        prepared=lambda wildcards, input: str(Path(input.splits[0]).parent),
        seed=0,
    script:
        "../scripts/fairseq/probe_checkpoint.py"


rule probe_pretraining_curve:
    input:
        steps=rules.pretrain_demo_mlm.output.steps,
        dictionary=pretrained_file("dict.txt", "demo"),
        spm=pretrained_file("sentencepiece.bpe.model", "demo"),
        splits=prepared_splits(["train", "test"], task="demo"),
        # the random-init encoder's probe, the curve's starting point: computed once, there
        probe=probe_json("demo"),
    output:
        curve="reports/demo/mlm_probe_curve.json",
        plot=report(
            "reports/demo/mlm_probe_curve.png",
            caption="report/mlm_probe_curve.rst",
            category="fairseq branch",
        ),
    log:
        "logs/demo/probe_pretraining_curve.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(10),
    params:
        hp=recipe_values(config, "demo"),
        corpus=config["data"]["demo"]["corpus"],
        prepared=lambda wildcards, input: str(Path(input.splits[0]).parent),
    script:
        "../scripts/fairseq/probe_pretraining_curve.py"


# Parameter accounting and the report of the fairseq runs.


rule count_fairseq_parameters:
    input:
        dictionary=task_checkpoint("dict.txt"),
    output:
        "reports/{task}/parameters.json",
    log:
        "logs/{task}/count_fairseq_parameters.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(5),
    params:
        arch=lambda wildcards: config["finetune"][task_mode(wildcards)]["arch"],
        max_positions=lambda wildcards: config["finetune"][task_mode(wildcards)][
            "max_positions"
        ],
    script:
        "../scripts/fairseq/count_fairseq_parameters.py"


rule report_fairseq:
    input:
        unpack(probe_results),
        runs=group_table("fairseq"),
        predictions=group_predictions("fairseq"),
        benchmarks=all_run_benchmarks,
        parameters=rules.count_fairseq_parameters.output[0],
    output:
        report=report(
            fairseq_report("{task}"),
            caption="report/fairseq_report.rst",
            category="fairseq branch",
        ),
        table=report(
            "reports/{task}/fairseq_runs.tsv",
            caption="report/fairseq_runs.rst",
            category="fairseq branch",
        ),
        plot=report(
            "reports/{task}/fairseq_valid_accuracy.png",
            caption="report/fairseq_valid_accuracy.rst",
            category="fairseq branch",
        ),
    log:
        "logs/{task}/report_fairseq.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        inits=config["inits"],
        seeds=config["seeds"],
        task=task_info,
        demo_corpus=config["data"]["demo"]["corpus"],
        verdict=config["verdict"],
    script:
        "../scripts/fairseq/report_fairseq.py"
