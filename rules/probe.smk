# Why pretraining helps, measured before any fine-tuning: a frozen-feature probe of the
# checkpoint vs a random-init encoder (both modes), and (demo) the probe along the masked-LM
# pretraining, to show where the checkpoint starts to carry the label's signal.


rule probe_checkpoint:
    input:
        checkpoint="models/{mode}/pretrained/model.pt",
        dictionary="models/{mode}/pretrained/dict.txt",
        checkpoint_check="models/{mode}/pretrained/checkpoint_check.json",
        splits=prepared_splits(["train", "test"]),
    output:
        "reports/{mode}/probe.json",
    params:
        hp=finetune_hp,
        prepared=lambda wildcards, input: str(Path(input.splits[0]).parent),
        seed=0,
    log:
        "logs/{mode}/probe_checkpoint.log",
    threads: config["threads"]["train"]
    resources:
        mem_mb=4000,
        runtime=lambda wildcards: 5 if wildcards.mode == "demo" else 30,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/probe_checkpoint.py"


rule probe_pretraining_curve:
    input:
        steps="runs/demo/mlm/steps",
        dictionary="models/demo/pretrained/dict.txt",
        spm="models/demo/pretrained/sentencepiece.bpe.model",
        splits=prepared_splits(["train", "test"], mode="demo"),
    output:
        curve="reports/demo/mlm_probe_curve.json",
        plot=report(
            "reports/demo/mlm_probe_curve.png",
            caption="report/mlm_probe_curve.rst",
            category="fairseq branch",
        ),
    params:
        hp=config["demo"]["finetune"],
        corpus=config["demo"]["corpus"],
        prepared=lambda wildcards, input: str(Path(input.splits[0]).parent),
        seed=0,
    log:
        "logs/demo/probe_pretraining_curve.log",
    threads: config["threads"]["train"]
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/probe_pretraining_curve.py"
