# The sheets, loaded once here: the task sheet (config/tasks.yaml and the other sheets of
# task_sheets), the tasks this run takes (config key tasks), the model sheet (config/models.yaml
# and model_sheets), and every file the tasks and the real checkpoint download.
from ftlib.core.errors import InputError
from ftlib.data.download_index import download_index
from ftlib.data.task_sources import check_folder_task
from ftlib.data.tasks import SheetError, load_tasks, select
from ftlib.models.sheet import load_models, model_for


def sheet_or_error(load, *args):
    """A sheet's loader, its SheetError as Snakemake's one-line error."""
    try:
        return load(*args)
    except SheetError as error:
        raise WorkflowError(str(error)) from None


TASKS = sheet_or_error(
    load_tasks,
    [repo_path(p) for p in config["task_sheets"]],
    WORKFLOW_DIR / "config" / "tasks.schema.yaml",
)


def is_pair(task):
    """A sentence-pair task (a sheet name; False for a wildcard pattern)."""
    return task in TASKS and TASKS[task].is_pair


DOWNLOADS = sheet_or_error(
    download_index,
    TASKS,
    raw_split_files,
    config["data"]["real"],
    checkpoint_files("real"),
)


def inputs_present(task):
    """Whether a real task can run without a download: its raw splits and the real checkpoint
    are in place (downloaded before, or put there by hand)."""
    return all(
        Path(p).exists()
        for p in raw_split_files(task.name) + checkpoint_files(task.mode)
    )


def requested_tasks():
    """The tasks this run takes: config tasks (auto: cls-books when its inputs are in place, else
    the demo; mode: demo | real, the older switch, stands for [demo] or [cls-books])."""
    requested = config["tasks"]
    if requested == "auto" and config.get("mode", "auto") != "auto":
        requested = ["demo"] if config["mode"] == "demo" else ["cls-books"]
    names = sheet_or_error(select, TASKS, requested, inputs_present)
    # a user's folder is read now, once (not again in each job of a cluster run): a bad column
    # or label stops the run here
    for name in names if workflow.is_main_process else []:
        if TASKS[name].source_kind == "folder":
            try:
                check_folder_task(TASKS[name])
            except InputError as error:
                raise WorkflowError(str(error)) from None
    return names


RUN_TASKS = requested_tasks()
RUN_MODES = list(dict.fromkeys(TASKS[t].mode for t in RUN_TASKS))
# the sweep's folders are named by the grid's keys: those of the first task's mode
SWEEP = sweep_space(config, RUN_MODES[0])
logger.info(
    f"fine-tuning workflow: tasks {', '.join(RUN_TASKS)} "
    f"(mode {', '.join(RUN_MODES)}; config tasks: {config['tasks']})"
)


def task_mode(wildcards):
    return TASKS[wildcards.task].mode


def task_labels(wildcards):
    """The task's label set, in the classifier's output order."""
    return list(TASKS[wildcards.task].labels)


def task_record(name):
    """What a report says of a task: name, mode, description, published references."""
    task = TASKS[name]
    return {
        "name": task.name,
        "mode": task.mode,
        "description": task.description,
        "references": [dict(r) for r in task.references],
        "references_note": task.references_note,
        "references_for": task.references_for,
    }


def task_info(wildcards):
    return task_record(wildcards.task)


def finetune_hp(wildcards):
    """The recipe of the task's mode, with one classifier output per label of the task."""
    return recipe_values(
        config, task_mode(wildcards), len(TASKS[wildcards.task].labels)
    )


# The models the PEFT branch can fine-tune; peft.model picks one for every task (auto: the
# task's own checkpoint).
MODELS = sheet_or_error(
    load_models,
    [repo_path(p) for p in config["model_sheets"]],
    WORKFLOW_DIR / "config" / "models.schema.yaml",
)


def peft_model(task, name=None):
    """The model sheet entry the PEFT branch fine-tunes on ``task``: ``name`` (a run's path
    names its model), else config peft.model; a bad choice is one line."""
    return sheet_or_error(
        model_for, MODELS, name or config["peft"]["model"], task, TASKS[task].mode
    )


for _task in RUN_TASKS:  # this run's choice, checked at start-up
    peft_model(_task)
