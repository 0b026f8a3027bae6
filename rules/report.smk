# Parameter accounting and the report of the fairseq runs.


rule count_parameters:
    input:
        dictionary="models/{mode}/pretrained/dict.txt",
    output:
        "reports/{mode}/parameters.json",
    params:
        arch=lambda wildcards: config[wildcards.mode]["finetune"]["arch"],
        max_positions=lambda wildcards: config[wildcards.mode]["finetune"]["max_positions"],
    log:
        "logs/{mode}/count_parameters.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=4000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/count_parameters.py"


rule report_fairseq:
    input:
        unpack(probe_results),
        metrics=all_run_metrics,
        benchmarks=all_run_benchmarks,
        parameters="reports/{mode}/parameters.json",
    output:
        report=report(
            "reports/{mode}/fairseq_report.md",
            caption="report/fairseq_report.rst",
            category="fairseq branch",
        ),
        table=report(
            "reports/{mode}/fairseq_runs.tsv",
            caption="report/fairseq_runs.rst",
            category="fairseq branch",
        ),
        plot=report(
            "reports/{mode}/fairseq_valid_accuracy.png",
            caption="report/fairseq_valid_accuracy.rst",
            category="fairseq branch",
        ),
    params:
        inits=config["inits"],
        seeds=config["seeds"],
    log:
        "logs/{mode}/report_fairseq.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/report_fairseq.py"
