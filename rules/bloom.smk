# The BLOOM branch: LoRA instruction tuning of a causal LM (bigscience/bloom-560m; in the demo,
# a tiny Bloom pretrained here) on French e-commerce FAQ pairs, 4-bit NF4 where bitsandbytes
# allows it. Independent of the fairseq stages; its settings are config["bloom"].


include: "helpers/bloom.smk"


rule download_bloom_faq:
    output:
        REAL_BLOOM_FAQ,
    log:
        "logs/real/download_bloom_faq.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(10),
    params:
        url=config["bloom"]["real"]["faq_url"],
        sha256=config["bloom"]["real"]["faq_sha256"],
    script:
        "../scripts/bloom/download_bloom_faq.py"


rule prepare_bloom_faq:
    input:
        faq=bloom_faq_source,
    output:
        train=bloom_faq_split("train"),
        heldout=bloom_faq_split("heldout"),
    log:
        "logs/{mode}/prepare_bloom_faq.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(5),
    params:
        heldout_size=lambda wildcards: bloom_cfg(wildcards)["heldout_size"],
        seed=lambda wildcards: bloom_cfg(wildcards)["split_seed"],
    script:
        "../scripts/bloom/prepare_bloom_faq.py"


rule pretrain_bloom_demo:
    input:
        train=bloom_faq_split("train", "demo"),
    output:
        model=directory(BLOOM_DEMO_BASE),
        text="data/demo/bloom/pretrain.txt",
    log:
        "logs/demo/pretrain_bloom_demo.log",
    benchmark:
        "benchmarks/demo/pretrain_bloom_demo.tsv"
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(3000),
        runtime=attempt_scaled(20),
    params:
        model=config["bloom"]["demo"]["model"],
        pretrain=config["bloom"]["demo"]["pretrain"],
    script:
        "../scripts/bloom/pretrain_bloom_demo.py"


rule count_bloom_parameters:
    input:
        unpack(bloom_base_input),
    output:
        "reports/{mode}/bloom_parameters.json",
    log:
        "logs/{mode}/count_bloom_parameters.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(3000),
        runtime=attempt_scaled(5),
    params:
        reference_shape=config["peft"]["architectures"][
            config["bloom"]["reference_model"]
        ],
        lora=config["bloom"]["lora"],
    script:
        "../scripts/bloom/count_bloom_parameters.py"


rule fetch_bloom_base:
    output:
        directory(REAL_BLOOM_BASE),
    log:
        "logs/real/fetch_bloom_base.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(30),
    params:
        repo=config["bloom"]["real"]["base_model"],
    script:
        "../scripts/bloom/fetch_bloom_base.py"


rule finetune_bloom:
    input:
        unpack(bloom_base_input),
        train=rules.prepare_bloom_faq.output.train,
        heldout=rules.prepare_bloom_faq.output.heldout,
    output:
        metrics="runs/{mode}/bloom/metrics.json",
        generations="runs/{mode}/bloom/generations.json",
        adapter=directory("runs/{mode}/bloom/adapter"),
        record="runs/{mode}/bloom/run.json",
    log:
        "logs/{mode}/finetune_bloom.log",
    benchmark:
        "benchmarks/{mode}/finetune_bloom.tsv"
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(lambda wildcards: BLOOM_MEM_MB[wildcards.mode]),
        runtime=attempt_scaled(
            lambda wildcards: 20 if wildcards.mode == "demo" else 240
        ),
    params:
        placement=PLACEMENT,
        base=bloom_base_source,
        train=lambda wildcards: bloom_cfg(wildcards)["train"],
        max_length=lambda wildcards: bloom_cfg(wildcards)["max_length"],
        max_new_tokens=lambda wildcards: bloom_cfg(wildcards)["max_new_tokens"],
        lora=config["bloom"]["lora"],
        quantization=config["bloom"]["quantization"],
        gradient_checkpointing=config["bloom"]["gradient_checkpointing"],
    script:
        "../scripts/bloom/finetune_bloom.py"


rule report_bloom:
    input:
        metrics=rules.finetune_bloom.output.metrics,
        generations=rules.finetune_bloom.output.generations,
        parameters=rules.count_bloom_parameters.output[0],
    output:
        report=report(
            bloom_report("{mode}"),
            caption="report/bloom_report.rst",
            category="BLOOM branch",
        ),
        plot=report(
            "reports/{mode}/bloom_loss.png",
            caption="report/bloom_loss.rst",
            category="BLOOM branch",
        ),
        answers=report(
            "reports/{mode}/bloom_answers.tsv",
            caption="report/bloom_answers.rst",
            category="BLOOM branch",
        ),
    log:
        "logs/{mode}/report_bloom.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    script:
        "../scripts/bloom/report_bloom.py"
