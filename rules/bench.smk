# `snakemake --cores 2 bench`: one real-size seed measured against this machine's compute floor
# (scripts/bench/benchmark_fairseq.py): stock vs tuned fairseq, the HF model, GEMM rate, FLOP count,
# the thread layout; then the whole real experiment's predicted cost -> reports/benchmark.md.


rule benchmark_fairseq:
    output:
        report="benchmarks/benchmark_fairseq.md",
        json="benchmarks/benchmark.json",
    log:
        "logs/benchmark_fairseq.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["benchmark"]["threads"]
    resources:
        mem_mb=attempt_scaled(8000),
        runtime=attempt_scaled(60),
    params:
        bench=config["benchmark"],
        hp=recipe_values(config, "real"),  # the lab's recipe at full size (CLS-books: 2 labels)
        dropout_masks=config["dropout_masks"],
    script:
        "../scripts/bench/benchmark_fairseq.py"


# The whole real experiment's cost on this machine (scripts/bench/benchmark_experiment.py):
# every job of `all --config tasks=[cls-books]` timed from real-size steps, scheduled on 2 and 8 cores.
rule benchmark_experiment:
    input:
        report=rules.benchmark_fairseq.output.report,
        json=rules.benchmark_fairseq.output.json,
    output:
        report="reports/benchmark.md",
        json="benchmarks/experiment.json",
    log:
        "logs/benchmark_experiment.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["benchmark"]["threads"]  # the whole machine: its timings run alone
    resources:
        mem_mb=attempt_scaled(12000),
        runtime=attempt_scaled(60),
    params:
        experiment=config["benchmark"]["experiment"],
        threads_train=config["threads"]["train"],
        inits=config["inits"],
        seeds=config["seeds"],
        finetune=recipe_values(config, "real"),
        peft_methods=config["peft"]["real"]["methods"],
        peft_seeds=config["peft"]["real"]["seeds"],
        peft_recipes={
            m: peft_recipe_values(config, "real", m)
            for m in config["peft"]["real"]["methods"]
        },
        peft_specs=config["peft"]["methods"],
        bloom_shape=config["peft"]["architectures"][config["bloom"]["reference_model"]],
        bloom_lora=config["bloom"]["lora"],
        bloom_quantization=config["bloom"]["quantization"],
        bloom_train=config["bloom"]["real"]["train"],
        bloom_heldout=config["bloom"]["real"]["heldout_size"],
        bloom_max_new_tokens=config["bloom"]["real"]["max_new_tokens"],
        bloom_max_length=config["bloom"]["real"]["max_length"],
        bloom_mem_mb=BLOOM_MEM_MB["real"],
        bloom_gradient_checkpointing=config["bloom"]["gradient_checkpointing"],
    script:
        "../scripts/bench/benchmark_experiment.py"


rule bench:
    input:
        rules.benchmark_experiment.output.report,


# Tuned vs stock ("same math"): the config's recipe run again with the speed levers
# undone (ftlib.core.recipe.STOCK_LEVERS), same seeds and inits, compared in one report:
#   snakemake --cores 4 tuned_vs_stock
use rule finetune_fairseq as finetune_fairseq_stock with:
    output:
        metrics="runs/{task}/fairseq_stock/{init}/seed{seed}/metrics.json",
        checkpoint="runs/{task}/fairseq_stock/{init}/seed{seed}/checkpoint_best.pt",
        tensorboard=directory("runs/{task}/fairseq_stock/{init}/seed{seed}/tensorboard"),
        predictions="runs/{task}/fairseq_stock/{init}/seed{seed}/predictions.tsv",
        record="runs/{task}/fairseq_stock/{init}/seed{seed}/run.json",
    log:
        "logs/{task}/finetune_fairseq_stock/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{task}/finetune_fairseq_stock/{init}_seed{seed}.tsv"
    params:
        placement={**PLACEMENT, "dropout_masks": "torch"},  # the lab's fairseq as it comes
        hp=stock_hp,
        labels=task_labels,
        branch="fairseq_stock",


rule report_tuned_vs_stock:
    input:
        tuned=group_table("fairseq"),
        stock=group_table("fairseq_stock"),
        predictions=group_predictions("fairseq", "fairseq_stock"),
    output:
        report=report(
            "reports/{task}/tuned_vs_stock.md",
            caption="report/tuned_vs_stock.rst",
            category="benchmark",
        ),
        plot=report(
            "reports/{task}/tuned_vs_stock_loss.png",
            caption="report/tuned_vs_stock.rst",
            category="benchmark",
        ),
    log:
        "logs/{task}/report_tuned_vs_stock.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        tuned_hp=finetune_hp,
        stock_hp=stock_hp,
        task=task_info,
    script:
        "../scripts/bench/report_tuned_vs_stock.py"


rule tuned_vs_stock:
    input:
        [f"reports/{task}/tuned_vs_stock.md" for task in RUN_TASKS],
