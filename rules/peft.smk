# Parameter-efficient fine-tuning: every method of config peft.methods on the same task, the same
# HuggingFace checkpoint and the same seeds, one job per (method, seed), so that
#   snakemake --cores 2 runs/demo/peft/lora_q_r4/seed0/metrics.json
# reruns that one alone; then the exact parameter accounting and the comparison report.


rule peft_accounting:
    input:
        model="models/{mode}/hf_pretrained",
    output:
        "reports/{mode}/peft_parameters.json",
    params:
        methods=config["peft"]["methods"],
        architectures=config["peft"]["architectures"],
    log:
        "logs/{mode}/peft_accounting.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/count_peft_parameters.py"


rule finetune_peft:
    input:
        model="models/{mode}/hf_pretrained",
        train="data/{mode}/jsonl/train.jsonl",
        valid="data/{mode}/jsonl/valid.jsonl",
        test="data/{mode}/jsonl/test.jsonl",
    output:
        metrics="runs/{mode}/peft/{method}/seed{seed}/metrics.json",
        tensorboard=directory("runs/{mode}/peft/{method}/seed{seed}/tensorboard"),
    wildcard_constraints:
        method="|".join(config["peft"]["methods"]),
    params:
        hp=peft_hp,
        spec=peft_method_spec,
        labels=config["labels"],
    log:
        "logs/{mode}/finetune_peft/{method}_seed{seed}.log",
    benchmark:
        "benchmarks/{mode}/finetune_peft/{method}_seed{seed}.tsv"
    threads: config["threads"]["train"]
    resources:
        mem_mb=6000,
        runtime=240,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/finetune_peft.py"


rule report_peft:
    input:
        metrics=peft_run_metrics,
        parameters="reports/{mode}/peft_parameters.json",
        test="data/{mode}/jsonl/test.jsonl",
    output:
        report="reports/{mode}/peft_report.md",
        table="reports/{mode}/peft_runs.tsv",
        plot="reports/{mode}/peft_accuracy_vs_params.png",
    params:
        methods=lambda wildcards: config["peft"][wildcards.mode]["methods"],
        seeds=lambda wildcards: config["peft"][wildcards.mode]["seeds"],
        specs=config["peft"]["methods"],
        labels=config["labels"],
    log:
        "logs/{mode}/report_peft.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/report_peft.py"
