# The HF branch's helpers (rules/hf.smk): functions only (rule files hold rules, `snakemake --lint`).


def lr_curve_runs(wildcards):
    """TensorBoard logs of one fairseq and one HF run (first init, first seed) for the lr plot."""
    init, seed = config["inits"][0], config["seeds"][0]
    return {
        "fairseq_lr": f"{run_dir(wildcards.task, init, seed)}/tensorboard",
        "hf_lr": f"{run_dir(wildcards.task, init, seed, 'hf')}/tensorboard",
    }


def hf_published(wildcards):
    return config["hf"][task_mode(wildcards)]["published"]


def comparison_report(task):
    return f"reports/{task}/comparison_report.md"
