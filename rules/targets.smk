# What `snakemake all` builds (the Snakefile's target `all`), and the groups of runs the reports
# gather, one table each: a branch's runs (fairseq, hf, peft) or one of the fairseq branch's
# studies (fairseq_stock: the tuned-vs-stock baseline, fairseq_sweep: the sweep's settings).

# The branches `all` runs (config key branches; a study preset runs the PEFT branch alone).
BRANCHES = config["branches"]
# Each run's own files: `all` asks for them by name, so the plain command redoes a run whose
# files went missing (a killed --forcerun, a deletion) even where the reports above it exist;
# Snakemake leaves a missing intermediate file alone when what depends on it is up to date.
RUN_FILES = ["metrics.json", "run.json", "predictions.tsv"]


def group_runs(task, group):
    """The run folders of one group: fairseq, fairseq_stock and HF (inits x seeds), PEFT
    (methods x seeds), the fairseq sweep (settings x seeds)."""
    if group == "fairseq_sweep":
        return sweep_runs(task)
    if group == "peft":
        peft = config["peft"][TASKS[task].mode]
        model = peft_model(task).name
        return [
            f"runs/{task}/peft/{model}/{method}/seed{seed}"
            for method in peft["methods"]
            for seed in peft["seeds"]
        ]
    return [
        run_dir(task, init, seed, group)
        for init in config["inits"]
        for seed in config["seeds"]
    ]


def classifier_branches():
    return [b for b in ("fairseq", "hf", "peft") if b in BRANCHES]


def training_runs(task):
    """The run folders of every training run of `all` on the task but BLOOM's."""
    return [run for branch in classifier_branches() for run in group_runs(task, branch)]


def all_run_records(wildcards):
    """run.json of every training run of `all` on the task (and the BLOOM run of its mode)."""
    bloom = [f"runs/{task_mode(wildcards)}/bloom/run.json"] * ("bloom" in BRANCHES)
    return [f"{run}/run.json" for run in training_runs(wildcards.task)] + bloom


def group_run_records(wildcards):
    return [f"{run}/run.json" for run in group_runs(wildcards.task, wildcards.group)]


def group_predictions(*groups):
    """Input function: predictions.tsv of every run of these groups (the paired tests)."""
    return lambda wildcards: [
        f"{run}/predictions.tsv"
        for group in groups
        for run in group_runs(wildcards.task, group)
    ]


def task_targets(task):
    """What `snakemake all` builds for one task: each branch's report (branches add theirs
    here), the table of every run and the statistics, and every run's own files."""
    reports = {
        fairseq_report(task): "fairseq" in BRANCHES,
        comparison_report(task): {"fairseq", "hf"} <= set(BRANCHES),
        peft_report(task): "peft" in BRANCHES,
    }
    return (
        [path for path, wanted in reports.items() if wanted]
        + [
            f"reports/{task}/runs.csv",
            f"reports/{task}/statistics.md",
        ]
        + [f"{run}/{name}" for run in training_runs(task) for name in RUN_FILES]
    )


def all_targets(tasks):
    """Every task's targets, the BLOOM report of each mode among them, and the summary (one
    task or several: its verdicts beside the published references)."""
    modes = dict.fromkeys(TASKS[t].mode for t in tasks) if "bloom" in BRANCHES else {}
    return (
        [path for t in tasks for path in task_targets(t)]
        + [bloom_report(mode) for mode in modes]
        + [f"runs/{mode}/bloom/{name}" for mode in modes for name in RUN_FILES[:2]]
        + ["reports/summary.md"]
    )
