# Parameter-efficient fine-tuning: every method of config peft.methods on the same task, the same
# model (peft.model, a name of the model sheet config/models.yaml) and the same seeds, one job per
# (method, seed), so that
#   snakemake --cores 2 runs/demo/peft/demo-roberta/lora_q_r4/seed0/metrics.json
# (runs/<task>/peft/<model>/...) reruns that one alone; then the exact parameter accounting and
# the comparison report.


include: "helpers/peft.smk"


rule download_hf_model:
    output:
        directory("models/hub/{model}"),
    log:
        "logs/download_hf_model/{model}.log",
    wildcard_constraints:
        model=names_pattern([m.name for m in MODELS.values() if m.source_kind == "hub"]),
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(60),
    params:
        repo_id=lambda wildcards: MODELS[wildcards.model].source["hub"],
        revision=lambda wildcards: MODELS[wildcards.model].source.get("revision"),
    script:
        "../scripts/peft/download_hf_model.py"


rule count_peft_parameters:
    input:
        model=peft_model_folder,
    output:
        "reports/{task}/peft_parameters.json",
    log:
        "logs/{task}/count_peft_parameters.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(3000),
        runtime=attempt_scaled(10),
    params:
        methods=run_method_specs,
        all_methods=config["peft"]["methods"],
        architectures=config["peft"]["architectures"],
        num_labels=lambda wildcards: len(task_labels(wildcards)),
        model=lambda wildcards: peft_model(wildcards.task).name,
        study=config["peft"].get("study", {}),
    script:
        "../scripts/peft/count_peft_parameters.py"


rule finetune_peft:
    input:
        model=peft_model_folder,
        train=jsonl_split("train"),
        valid=jsonl_split("valid"),
        test=jsonl_split("test"),
    output:
        metrics="runs/{task}/peft/{model}/{method}/seed{seed}/metrics.json",
        tensorboard=directory(
            "runs/{task}/peft/{model}/{method}/seed{seed}/tensorboard"
        ),
        predictions="runs/{task}/peft/{model}/{method}/seed{seed}/predictions.tsv",
        record="runs/{task}/peft/{model}/{method}/seed{seed}/run.json",
        weights="runs/{task}/peft/{model}/{method}/seed{seed}/best_valid.pt",
    log:
        "logs/{task}/finetune_peft/{model}/{method}_seed{seed}.log",
    benchmark:
        "benchmarks/{task}/finetune_peft/{model}/{method}_seed{seed}.tsv"
    wildcard_constraints:
        method=names_pattern(config["peft"]["methods"]),
        model=names_pattern(MODELS),
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(6000),
        runtime=attempt_scaled(240),
    params:
        placement=PLACEMENT,
        hp=peft_hp,
        spec=peft_method_spec,
        labels=task_labels,
    script:
        "../scripts/peft/finetune_peft.py"


rule report_peft:
    input:
        runs=group_table("peft"),
        predictions=group_predictions("peft"),
        parameters=rules.count_peft_parameters.output[0],
        test=jsonl_split("test"),
    output:
        report=report(
            peft_report("{task}"),
            caption="report/peft_report.rst",
            category="PEFT branch",
        ),
        table=report(
            "reports/{task}/peft_runs.tsv",
            caption="report/peft_runs.rst",
            category="PEFT branch",
        ),
        plot=report(
            "reports/{task}/peft_accuracy_vs_params.png",
            caption="report/peft_plot.rst",
            category="PEFT branch",
        ),
    log:
        "logs/{task}/report_peft.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        methods=peft_setting("methods"),
        seeds=peft_setting("seeds"),
        task=task_info,
        specs=config["peft"]["methods"],
        labels=task_labels,
        model=lambda wildcards: peft_model(wildcards.task).name,
        study=config["peft"].get("study", {}),
        run_tasks=RUN_TASKS,
        studies=PEFT_STUDIES,
        verdict=config["verdict"],
    script:
        "../scripts/peft/report_peft.py"
