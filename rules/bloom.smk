# The BLOOM branch: LoRA instruction tuning of a causal LM (bigscience/bloom-560m; in the demo,
# a tiny Bloom pretrained here) on French e-commerce FAQ pairs, 4-bit NF4 where bitsandbytes
# allows it. Independent of the fairseq stages; its settings are config["bloom"].


rule download_bloom_faq:
    output:
        "data/real/bloom/ecommerce-faq-fr.json",
    params:
        url=config["bloom"]["real"]["faq_url"],
        sha256=config["bloom"]["real"]["faq_sha256"],
    log:
        "logs/real/download_bloom_faq.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/download_bloom_faq.py"


rule prepare_bloom_faq:
    input:
        faq=bloom_faq_source,
    output:
        train="data/{mode}/bloom/train.jsonl",
        heldout="data/{mode}/bloom/heldout.jsonl",
    params:
        heldout_size=lambda wildcards: bloom_cfg(wildcards)["heldout_size"],
        seed=lambda wildcards: bloom_cfg(wildcards)["split_seed"],
    log:
        "logs/{mode}/prepare_bloom_faq.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/prepare_bloom_faq.py"


rule pretrain_bloom_demo:
    input:
        train="data/demo/bloom/train.jsonl",
    output:
        model=directory("models/demo/bloom_base"),
        text="data/demo/bloom/pretrain.txt",
    params:
        model=config["bloom"]["demo"]["model"],
        pretrain=config["bloom"]["demo"]["pretrain"],
    log:
        "logs/demo/pretrain_bloom_demo.log",
    benchmark:
        "benchmarks/demo/pretrain_bloom_demo.tsv"
    threads: config["threads"]["train"]
    resources:
        mem_mb=3000,
        runtime=20,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/pretrain_bloom_demo.py"


rule count_bloom_parameters:
    input:
        unpack(bloom_base_input),
    output:
        "reports/{mode}/bloom_parameters.json",
    params:
        reference_shape=config["bloom"]["reference_model"],
        lora=config["bloom"]["lora"],
    log:
        "logs/{mode}/count_bloom_parameters.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=3000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/count_bloom_parameters.py"


rule finetune_bloom:
    input:
        unpack(bloom_base_input),
        train="data/{mode}/bloom/train.jsonl",
        heldout="data/{mode}/bloom/heldout.jsonl",
    output:
        metrics="runs/{mode}/bloom/metrics.json",
        generations="runs/{mode}/bloom/generations.json",
        adapter=directory("runs/{mode}/bloom/adapter"),
    params:
        base=bloom_base_source,
        train=lambda wildcards: bloom_cfg(wildcards)["train"],
        max_length=lambda wildcards: bloom_cfg(wildcards)["max_length"],
        max_new_tokens=lambda wildcards: bloom_cfg(wildcards)["max_new_tokens"],
        lora=config["bloom"]["lora"],
        quantization=config["bloom"]["quantization"],
    log:
        "logs/{mode}/finetune_bloom.log",
    benchmark:
        "benchmarks/{mode}/finetune_bloom.tsv"
    threads: config["threads"]["train"]
    resources:
        mem_mb=lambda wildcards: 4000 if wildcards.mode == "demo" else 16000,
        runtime=lambda wildcards: 20 if wildcards.mode == "demo" else 240,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/finetune_bloom.py"


rule report_bloom:
    input:
        metrics="runs/{mode}/bloom/metrics.json",
        generations="runs/{mode}/bloom/generations.json",
        parameters="reports/{mode}/bloom_parameters.json",
    output:
        report="reports/{mode}/bloom_report.md",
        plot="reports/{mode}/bloom_loss.png",
        answers="reports/{mode}/bloom_answers.tsv",
    log:
        "logs/{mode}/report_bloom.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/report_bloom.py"
