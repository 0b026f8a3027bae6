# The data stages' input functions (rules/inputs.smk, rules/data.smk): functions only.
from ftlib.data.download_index import CHECKPOINT


def second_texts(kind, splits=SPLITS):
    """Input function: a pair task's second texts of the splits (raw or prepared), else none."""

    def inputs(wildcards):
        if not is_pair(wildcards.task):
            return []
        if kind == "raw":
            return [raw_file(s, "review2", wildcards.task) for s in splits]
        return [prepared_file(s, "spm.review2", wildcards.task) for s in splits]

    return inputs


def task_checkpoint(name):
    """Input function: a file of the checkpoint folder of the task's mode."""
    return lambda wildcards: pretrained_file(name, task_mode(wildcards))


def needs_download(name, pattern):
    """Input function for unpacking: the download, unless the file is already in place."""

    def inputs(wildcards):
        target = Path(pattern.format(**dict(wildcards.items())))
        return [] if target.exists() else [download_file(name)]

    return inputs


def task_source(wildcards):
    """Input of import_task: the task's downloads or its folder's files, or nothing when every
    raw file is already in place (put there by hand: nothing is downloaded for them)."""
    task = TASKS[wildcards.task]
    if all(Path(p).exists() for p in raw_split_files(task.name)):
        return []
    if task.source_kind in ("url", "urls"):
        return [d.path for d in DOWNLOADS.values() if task.name in d.tasks]
    return [str(p) for p in Path(task.source["folder"]).rglob("*") if p.is_file()]
