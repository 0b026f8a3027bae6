# The real inputs, downloaded (kept in data/downloads/) or placed by hand: each task's archive or
# split files (the task sheet), imported into data/<task>/raw/, and the RoBERTa_small_fr checkpoint,
# unpacked file by file into models/real/pretrained/. A file placed by hand counts as done: its job
# then needs no download (needs_download and task_source, rules/helpers/data.smk).


include: "helpers/data.smk"


# Every download of the index (ftlib/data/download_index.py): URL, checksum, what it must hold.
rule download:
    output:
        download_file(),
    log:
        "logs/downloads/{download}.log",
    wildcard_constraints:
        download=names_pattern(DOWNLOADS),
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(30),
    params:
        download=lambda wildcards: DOWNLOADS[wildcards.download],
    script:
        "../scripts/data/download.py"


# A task of the sheet read from its archive or folder, in its format, into the raw layout
# (valid carved from train when the source has none: the ids in data/<task>/split_ids.tsv).
rule import_task:
    input:
        task_source,
    output:
        raw=raw_split_files("{task}"),
        split_ids=split_ids(),
    log:
        "logs/{task}/import_task.log",
    wildcard_constraints:
        task=names_pattern(
            t
            for t in TASKS
            if TASKS[t].source_kind != "generator" and not TASKS[t].is_pair
        ),
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        task=lambda wildcards: TASKS[wildcards.task],
    script:
        "../scripts/data/import_task.py"


# The same for a sentence-pair task: its second texts in <split>.review2.
rule import_pair_task:
    input:
        task_source,
    output:
        raw=raw_split_files("{task}", pair=True),
        split_ids=split_ids(),
    log:
        "logs/{task}/import_task.log",
    wildcard_constraints:
        task=names_pattern(
            t
            for t in TASKS
            if TASKS[t].source_kind != "generator" and TASKS[t].is_pair
        ),
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        task=lambda wildcards: TASKS[wildcards.task],
    script:
        "../scripts/data/import_task.py"


rule unpack_real_checkpoint:
    input:
        needs_download(CHECKPOINT, pretrained_file("{name}", "real")),
    output:
        pretrained_file("{name}", "real"),
    log:
        "logs/real/unpack_checkpoint/{name}.log",
    conda:
        "../envs/workflow.yaml"
    threads: config["threads"]["light"]
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    script:
        "../scripts/data/unpack_real_checkpoint.py"
