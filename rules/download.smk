# Real inputs: CLS-books and the RoBERTa_small_fr checkpoint, downloaded as zip archives
# (kept in data/downloads/) and unpacked file by file into data/real/raw/ and
# models/real/pretrained/. A file placed there by hand counts as done: its unpack job then
# needs no archive, so nothing is downloaded for it (see needs_archive in common.smk).


rule download_real_archive:
    output:
        "data/downloads/{kind}.zip",
    params:
        url=lambda wildcards: config["real"]["urls"][wildcards.kind],
        sha256=lambda wildcards: config["real"]["sha256"][wildcards.kind],
        provides=lambda wildcards: REAL_ARCHIVE_FILES[wildcards.kind],
    log:
        "logs/real/download_{kind}.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=1000,
        runtime=30,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/download_archive.py"


rule unpack_real_data:
    input:
        needs_archive("data", "data/real/raw/{split}.{ext}"),
    output:
        "data/real/raw/{split}.{ext}",
    params:
        valid_size=config["real"]["valid_size"],
    log:
        "logs/real/unpack_data/{split}.{ext}.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/unpack_real_input.py"


rule unpack_real_checkpoint:
    input:
        needs_archive("checkpoint", "models/real/pretrained/{name}"),
    output:
        "models/real/pretrained/{name}",
    log:
        "logs/real/unpack_checkpoint/{name}.log",
    threads: config["threads"]["light"]
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/fairseq.yaml"
    script:
        "../scripts/unpack_real_input.py"
