# The sweep's helpers (rules/sweep.smk): functions only (rule files hold rules, `snakemake --lint`).


def sweep_hp(wildcards):
    return sweep_recipe(
        config,
        task_mode(wildcards),
        SWEEP.instance(wildcards),
        len(TASKS[wildcards.task].labels),
    )


def sweep_runs(task):
    sweep = config["sweep"][TASKS[task].mode]
    return [
        f"runs/{task}/fairseq/{sweep['init']}/{setting}/seed{seed}"
        for setting in sweep_space(config, TASKS[task].mode).instance_patterns
        for seed in sweep["seeds"]
    ]
