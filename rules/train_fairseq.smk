# fairseq-train sentence_prediction: one job per (init, seed), so that
#   snakemake --cores 4 runs/demo/fairseq/pretrained/seed1/metrics.json
# reruns that seed alone.


rule finetune_fairseq:
    input:
        unpack(finetune_inputs),
    output:
        metrics="runs/{mode}/fairseq/{init}/seed{seed}/metrics.json",
        checkpoint="runs/{mode}/fairseq/{init}/seed{seed}/checkpoint_best.pt",
        tensorboard=directory("runs/{mode}/fairseq/{init}/seed{seed}/tensorboard"),
    params:
        hp=finetune_hp,
    log:
        "logs/{mode}/finetune_fairseq/{init}_seed{seed}.log",
    benchmark:
        "benchmarks/{mode}/finetune_fairseq/{init}_seed{seed}.tsv"
    threads: config["threads"]["train"]
    resources:
        mem_mb=6000,
        runtime=120,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/finetune_fairseq.py"
