# The variance study's helpers (rules/variance.smk): functions only (`snakemake --lint`).


def variance_seeds(wildcards):
    """The three seeds of one run: the varied source's, the others at variance.fixed_seed."""
    fixed = config["variance"]["fixed_seed"]
    seeds = {source: fixed for source in ("init", "data_order", "dropout")}
    seeds[wildcards.source] = int(wildcards.seed)
    return seeds


def variance_runs(name):
    """Input function: a file of every run of the study (inits x sources x seeds)."""
    study = config["variance"]
    return lambda wildcards: [
        f"runs/{wildcards.task}/hf_variance/{init}/{source}/seed{seed}/{name}"
        for init in study["inits"]
        for source in study["sources"]
        for seed in study["seeds"]
    ]
