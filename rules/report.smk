# Reports shared by the branches: every training run's facts in one tidy table, and the
# statistics of every group of runs and of every comparison the reports make.


rule gather_runs:
    input:
        all_run_records,
    output:
        report("reports/{mode}/runs.csv", caption="report/runs.rst", category="Runs"),
    log:
        "logs/{mode}/gather_runs.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    script:
        "../scripts/report/gather_runs.py"


# One branch's runs, the table its report reads: a branch's report waits only on that branch.
use rule gather_runs as gather_branch_runs with:
    input:
        branch_run_records,
    output:
        branch_table("{branch}"),
    log:
        "logs/{mode}/gather_runs_{branch}.log",


rule report_statistics:
    input:
        runs=rules.gather_runs.output[0],
        predictions=branch_predictions("fairseq", "hf", "peft"),
    output:
        report(
            "reports/{mode}/statistics.md",
            caption="report/statistics.rst",
            category="Statistics",
        ),
    log:
        "logs/{mode}/report_statistics.log",
    conda:
        "../envs/fairseq.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    script:
        "../scripts/report/report_statistics.py"
