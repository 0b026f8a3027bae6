# Hyperparameter sweeps of the fairseq branch (config sweep.<mode>, the mode of the task): every setting of the grid
# times the seeds, each setting in its own folder named by its values (snakemake.utils.Paramspace),
# so that a setting's results are never overwritten by another's; a report compares them.
#   snakemake --cores 4 sweep


include: "helpers/sweep.smk"


use rule finetune_fairseq as finetune_fairseq_sweep with:
    output:
        metrics=f"runs/{{task}}/fairseq/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}/metrics.json",
        checkpoint=f"runs/{{task}}/fairseq/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}/checkpoint_best.pt",
        tensorboard=directory(
            f"runs/{{task}}/fairseq/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}/tensorboard"
        ),
        predictions=f"runs/{{task}}/fairseq/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}/predictions.tsv",
        record=f"runs/{{task}}/fairseq/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}/run.json",
    log:
        f"logs/{{task}}/finetune_fairseq_sweep/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}.log",
    benchmark:
        f"benchmarks/{{task}}/finetune_fairseq_sweep/{{init}}/{SWEEP.wildcard_pattern}/seed{{seed}}.tsv"
    params:
        placement=PLACEMENT,
        hp=sweep_hp,
        labels=task_labels,
        branch="fairseq_sweep",
        setting=lambda wildcards: SWEEP.wildcard_pattern.format(**wildcards),


rule report_sweep:
    input:
        group_table("fairseq_sweep"),  # first: the script reads input[0]
        predictions=group_predictions("fairseq_sweep"),  # the two-level intervals
    output:
        report=report(
            "reports/{task}/sweep.md", caption="report/sweep.rst", category="Sweep"
        ),
        plot=report(
            "reports/{task}/sweep_expected_max.png",
            caption="report/sweep.rst",
            category="Sweep",
        ),
    log:
        "logs/{task}/report_sweep.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(5),
    params:
        grid=lambda wildcards: config["sweep"][task_mode(wildcards)]["grid"],
        settings=lambda wildcards: list(
            sweep_space(config, task_mode(wildcards)).instance_patterns
        ),
        task=task_info,
    script:
        "../scripts/report/report_sweep.py"


rule sweep:
    input:
        [f"reports/{task}/sweep.md" for task in RUN_TASKS],
