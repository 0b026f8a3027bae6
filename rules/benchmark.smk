# `snakemake --cores 2 bench`: one real-size seed measured against this machine's compute floor
# (scripts/benchmark_fairseq.py): stock vs tuned fairseq, the HF model, GEMM rate, FLOP count.


rule benchmark_fairseq:
    output:
        report="reports/benchmark.md",
        json="benchmarks/benchmark.json",
    params:
        bench=config["benchmark"],
        hp=config["real"]["finetune"],  # the lab's recipe at full size
    log:
        "logs/benchmark_fairseq.log",
    threads: config["benchmark"]["threads"]
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/benchmark_fairseq.py"


rule bench:
    input:
        "reports/benchmark.md",
