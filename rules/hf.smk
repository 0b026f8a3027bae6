# The HuggingFace branch: the same fine-tuning as the fairseq branch with transformers.Trainer,
# on the same splits (as jsonl), from the fairseq checkpoint converted here (and proved equal by
# a parity check), one job per (init, seed); then the side-by-side report of both toolkits.


rule make_jsonl:
    input:
        review="data/{mode}/raw/{split}.review",
        label="data/{mode}/raw/{split}.label",
    output:
        "data/{mode}/jsonl/{split}.jsonl",
    params:
        labels=config["labels"],
    log:
        "logs/{mode}/make_jsonl/{split}.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/make_hf_jsonl.py"


rule convert_checkpoint_to_hf:
    input:
        checkpoint="models/{mode}/pretrained/model.pt",
        dictionary="models/{mode}/pretrained/dict.txt",
        spm="models/{mode}/pretrained/sentencepiece.bpe.model",
        reviews=expand("data/{{mode}}/raw/{split}.review", split=SPLITS),
    output:
        folder=directory("models/{mode}/hf_pretrained"),
        parity="models/{mode}/hf_parity.json",
    params:
        published=hf_published,
        max_positions=lambda wildcards: config[wildcards.mode]["finetune"]["max_positions"],
        batch_size=config["hf"]["parity"]["batch_size"],
        atol=config["hf"]["parity"]["atol"],
    log:
        "logs/{mode}/convert_checkpoint_to_hf.log",
    benchmark:
        "benchmarks/{mode}/convert_checkpoint_to_hf.tsv"
    threads: config["threads"]["light"]
    resources:
        mem_mb=4000,
        runtime=15,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/convert_checkpoint_to_hf.py"


rule finetune_hf:
    input:
        hf_dir="models/{mode}/hf_pretrained",
        train="data/{mode}/jsonl/train.jsonl",
        valid="data/{mode}/jsonl/valid.jsonl",
        test="data/{mode}/jsonl/test.jsonl",
    output:
        metrics="runs/{mode}/hf/{init}/seed{seed}/metrics.json",
        tensorboard=directory("runs/{mode}/hf/{init}/seed{seed}/tensorboard"),
    params:
        hp=finetune_hp,
        labels=config["labels"],
    log:
        "logs/{mode}/finetune_hf/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{mode}/finetune_hf/{init}_seed{seed}.tsv"
    threads: config["threads"]["train"]
    resources:
        mem_mb=6000,
        runtime=120,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/finetune_hf.py"


rule report_comparison:
    input:
        unpack(lr_curve_runs),
        fairseq=all_run_metrics,
        hf=hf_run_metrics,
    output:
        report="reports/{mode}/comparison_report.md",
        table="reports/{mode}/comparison_runs.tsv",
        valid_plot="reports/{mode}/comparison_valid_accuracy.png",
        lr_plot="reports/{mode}/comparison_lr.png",
    params:
        inits=config["inits"],
        seeds=config["seeds"],
    log:
        "logs/{mode}/report_comparison.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/report_hf_comparison.py"
