# Reproducible fine-tuning of RoBERTa-small on French book reviews (CLS-books).
# The stages live in rules/; config/config.yaml holds every setting, config/tasks.yaml the tasks
# (config key tasks: which of them a run takes; auto = cls-books when its inputs are in place, else the demo).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "rules/report/workflow.rst"


include: "rules/common.smk"
include: "rules/paths.smk"
include: "rules/sheets.smk"
include: "rules/targets.smk"


wildcard_constraints:
    task=names_pattern(TASKS),
    mode="demo|real",
    init="pretrained|scratch",
    seed=r"\d+",
    source="init|data_order|dropout",
    group="fairseq|fairseq_stock|fairseq_sweep|hf|peft",
    split="train|valid|test",
    ext="review|label",
    kind="checkpoint",
    name="model\.pt|dict\.txt|sentencepiece\.bpe\.model",


# On a cluster these run on the submitting node: compute nodes are often offline (downloads),
# and a report takes seconds (not worth a queue wait).
localrules:
    all,
    download,
    download_bloom_faq,
    fetch_bloom_base,
    report_fairseq,
    report_hf_comparison,
    report_peft,
    report_bloom,
    report_tuned_vs_stock,
    gather_runs,
    gather_group_runs,
    report_statistics,
    report_summary,
    report_sweep,
    report_variance,
    export,
    predict,


include: "rules/inputs.smk"
include: "rules/demo.smk"
include: "rules/data.smk"
include: "rules/fairseq.smk"
include: "rules/hf.smk"
include: "rules/peft.smk"
include: "rules/bloom.smk"
include: "rules/bench.smk"
include: "rules/report.smk"
include: "rules/sweep.smk"
include: "rules/variance.smk"
include: "rules/export.smk"


# after every rule: each script's code digest as a param (a library change reruns its jobs)
add_code_params()


# Every report of the run's tasks and every run's own files (rules/targets.smk).
rule all:
    default_target: True
    input:
        all_targets(RUN_TASKS),
