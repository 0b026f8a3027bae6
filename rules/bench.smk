# `snakemake --cores 2 bench`: one real-size seed measured against this machine's compute floor
# (scripts/bench/benchmark_fairseq.py): stock vs tuned fairseq, the HF model, GEMM rate, FLOP count.


rule benchmark_fairseq:
    output:
        report="reports/benchmark.md",
        json="benchmarks/benchmark.json",
    log:
        "logs/benchmark_fairseq.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["benchmark"]["threads"]
    resources:
        mem_mb=attempt_scaled(8000),
        runtime=attempt_scaled(60),
    params:
        bench=config["benchmark"],
        hp=config["finetune"]["real"],  # the lab's recipe at full size
    script:
        "../scripts/bench/benchmark_fairseq.py"


rule bench:
    input:
        rules.benchmark_fairseq.output.report,


# Tuned vs stock ("same math"): the config's recipe run again with the speed levers
# undone (ftlib.core.recipe.STOCK_LEVERS), same seeds and inits, compared in one report:
#   snakemake --cores 4 tuned_vs_stock
use rule finetune_fairseq as finetune_fairseq_stock with:
    output:
        metrics="runs/{mode}/fairseq_stock/{init}/seed{seed}/metrics.json",
        checkpoint="runs/{mode}/fairseq_stock/{init}/seed{seed}/checkpoint_best.pt",
        tensorboard=directory("runs/{mode}/fairseq_stock/{init}/seed{seed}/tensorboard"),
        predictions="runs/{mode}/fairseq_stock/{init}/seed{seed}/predictions.tsv",
        record="runs/{mode}/fairseq_stock/{init}/seed{seed}/run.json",
    log:
        "logs/{mode}/finetune_fairseq_stock/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{mode}/finetune_fairseq_stock/{init}_seed{seed}.tsv"
    params:
        placement=PLACEMENT,
        hp=stock_hp,
        labels=config["labels"],
        branch="fairseq_stock",


rule report_tuned_vs_stock:
    input:
        tuned=branch_table("fairseq"),
        stock=branch_table("fairseq_stock"),
        predictions=branch_predictions("fairseq", "fairseq_stock"),
    output:
        report=report(
            "reports/{mode}/tuned_vs_stock.md",
            caption="report/tuned_vs_stock.rst",
            category="benchmark",
        ),
        plot=report(
            "reports/{mode}/tuned_vs_stock_loss.png",
            caption="report/tuned_vs_stock.rst",
            category="benchmark",
        ),
    log:
        "logs/{mode}/report_tuned_vs_stock.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        tuned_hp=finetune_hp,
        stock_hp=stock_hp,
    script:
        "../scripts/bench/report_tuned_vs_stock.py"


rule tuned_vs_stock:
    input:
        f"reports/{MODE}/tuned_vs_stock.md",
