# Reproducible fine-tuning of RoBERTa-small on French book reviews (CLS-books).
# The stages live in rules/; config/config.yaml holds every setting (mode: demo | real | auto).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "rules/report/workflow.rst"


include: "rules/common.smk"


wildcard_constraints:
    mode="demo|real",
    init="pretrained|scratch",
    seed=r"\d+",
    split="train|valid|test",
    ext="review|label",
    kind="data|checkpoint",
    name="model\.pt|dict\.txt|sentencepiece\.bpe\.model",


include: "rules/download.smk"
include: "rules/demo.smk"
include: "rules/prepare.smk"
include: "rules/train_fairseq.smk"
include: "rules/probe.smk"
include: "rules/report.smk"
include: "rules/benchmark.smk"
include: "rules/hf.smk"
include: "rules/bloom.smk"
include: "rules/peft.smk"


rule all:
    input:
        all_targets(MODE),
    default_target: True
