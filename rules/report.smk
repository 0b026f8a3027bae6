# Reports shared by the branches: every training run's facts in one tidy table, and the
# statistics of every group of runs and of every comparison the reports make.


rule gather_runs:
    input:
        all_run_records,
    output:
        report("reports/{task}/runs.csv", caption="report/runs.rst", category="Runs"),
    log:
        "logs/{task}/gather_runs.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    script:
        "../scripts/report/gather_runs.py"


# One group's runs, the table its report reads: a branch's report waits only on that branch.
use rule gather_runs as gather_group_runs with:
    input:
        group_run_records,
    output:
        group_table("{group}"),
    log:
        "logs/{task}/gather_runs_{group}.log",


rule report_statistics:
    input:
        runs=rules.gather_runs.output[0],
        predictions=lambda wildcards: group_predictions(*classifier_branches())(
            wildcards
        ),
    output:
        report(
            "reports/{task}/statistics.md",
            caption="report/statistics.rst",
            category="Statistics of every comparison",
        ),
    log:
        "logs/{task}/report_statistics.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    script:
        "../scripts/report/report_statistics.py"


# Every run, one task or several: every task's groups side by side, beside each published
# reference with its verdict.
rule report_summary:
    input:
        runs=expand("reports/{task}/runs.csv", task=RUN_TASKS),
    output:
        report=report(
            "reports/summary.md", caption="report/summary.rst", category="Across tasks"
        ),
        plot=report(
            "reports/summary.png",
            caption="report/summary.rst",
            category="Across tasks",
        ),
    log:
        "logs/report_summary.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        tasks=[task_record(t) for t in RUN_TASKS],
        verdict=config["verdict"],
        study=config["peft"].get("study", {}),
        studies=PEFT_STUDIES,
    script:
        "../scripts/report/report_summary.py"
