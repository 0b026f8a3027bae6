# The HuggingFace branch: the same fine-tuning as the fairseq branch with transformers.Trainer,
# on the same splits (as jsonl), from the fairseq checkpoint converted here (and proved equal by
# a parity check), one job per (init, seed); then the side-by-side report of both toolkits.


include: "helpers/hf.smk"


rule make_hf_jsonl:
    input:
        review=raw_file("{split}", "review"),
        review2=lambda wildcards: second_texts("raw", [wildcards.split])(wildcards),
        label=raw_file("{split}", "label"),
    output:
        jsonl_split("{split}"),
    log:
        "logs/{task}/make_hf_jsonl/{split}.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(5),
    params:
        labels=task_labels,
    script:
        "../scripts/hf/make_hf_jsonl.py"


rule convert_checkpoint_to_hf:
    input:
        checkpoint=task_checkpoint("model.pt"),
        dictionary=task_checkpoint("dict.txt"),
        spm=task_checkpoint("sentencepiece.bpe.model"),
        reviews=[raw_file(split, "review") for split in SPLITS],
    output:
        folder=directory(hf_model()),
        parity="models/{task}/hf_parity.json",
    log:
        "logs/{task}/convert_checkpoint_to_hf.log",
    benchmark:
        "benchmarks/{task}/convert_checkpoint_to_hf.tsv"
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(15),
    params:
        published=hf_published,
        max_positions=lambda wildcards: config["finetune"][task_mode(wildcards)][
            "max_positions"
        ],
        batch_size=config["hf"]["parity"]["batch_size"],
        atol=config["hf"]["parity"]["atol"],
    script:
        "../scripts/hf/convert_checkpoint_to_hf.py"


rule finetune_hf:
    input:
        hf_dir=hf_model(),
        train=jsonl_split("train"),
        valid=jsonl_split("valid"),
        test=jsonl_split("test"),
    output:
        metrics="runs/{task}/hf/{init}/seed{seed}/metrics.json",
        tensorboard=directory("runs/{task}/hf/{init}/seed{seed}/tensorboard"),
        predictions="runs/{task}/hf/{init}/seed{seed}/predictions.tsv",
        record="runs/{task}/hf/{init}/seed{seed}/run.json",
        weights="runs/{task}/hf/{init}/seed{seed}/best_valid.pt",
    log:
        "logs/{task}/finetune_hf/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{task}/finetune_hf/{init}_seed{seed}.tsv"
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
    script:
        "../scripts/hf/finetune_hf.py"


rule report_hf_comparison:
    input:
        unpack(lr_curve_runs),
        fairseq=group_table("fairseq"),
        hf=group_table("hf"),
        predictions=group_predictions("fairseq", "hf"),
    output:
        report=report(
            comparison_report("{task}"),
            caption="report/hf_report.rst",
            category="HF branch",
        ),
        table=report(
            "reports/{task}/comparison_runs.tsv",
            caption="report/hf_runs.rst",
            category="HF branch",
        ),
        valid_plot=report(
            "reports/{task}/comparison_valid_accuracy.png",
            caption="report/hf_valid_accuracy.rst",
            category="HF branch",
        ),
        lr_plot=report(
            "reports/{task}/comparison_lr.png",
            caption="report/hf_lr.rst",
            category="HF branch",
        ),
    log:
        "logs/{task}/report_hf_comparison.log",
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
        verdict=config["verdict"],
    script:
        "../scripts/hf/report_hf_comparison.py"
