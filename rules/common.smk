# Helpers shared by all stages: the validated config, the task sheet, the paths and targets the
# branches share; each branch's own input functions are in rules/helpers/<branch>.smk.
import itertools
import os
import re
import sys
from pathlib import Path

import pandas as pd
from snakemake.exceptions import WorkflowError
from snakemake.utils import Paramspace, validate

# The scripts live in scripts/<branch>/ and share the library scripts/ftlib: put scripts/ on
# the path of every job (set here, not required from the user: hence no `envvars:`; every job,
# local or on a cluster, parses this file again and inherits the variable).
SCRIPTS_DIR = str(Path(workflow.basedir) / "scripts")
sys.path.insert(0, SCRIPTS_DIR)  # the recipe's own checks, here before any job
_python_path = os.environ.get("PYTHONPATH", "").split(os.pathsep)
if SCRIPTS_DIR not in _python_path:
    os.environ.update(
        PYTHONPATH=os.pathsep.join(filter(None, [SCRIPTS_DIR, *_python_path]))
    )

from ftlib.core.device import DeviceError
from ftlib.core.device import resolve as resolve_placement
from ftlib.core.recipe import STOCK_LEVERS, Recipe, RecipeError
from ftlib.core.workflow_lock import clear_stale_locks, record_owner, release_owner
from ftlib.core.code_digest import code_digest
from ftlib.core.errors import InputError
from ftlib.data.task_sources import check_folder_task
from ftlib.data.tasks import SheetError, archive_name, is_archive, load_tasks, select
from ftlib.models.sheet import load_models, model_for
from ftlib.peft.registry import UnknownKind, check_methods
from ftlib.core.studies import load_studies

# A killed run's lock would stop the README's command until `snakemake --unlock`: removed here,
# before Snakemake takes its lock, when provably stale (ftlib/core/workflow_lock.py); the killed
# jobs' outputs are then redone (rerun-incomplete, profiles/default/).
if workflow.is_main_process:
    _stale = clear_stale_locks()
    if _stale:
        logger.warning(_stale)


onstart:
    record_owner()


onsuccess:
    release_owner()


onerror:
    release_owner()


def validate_config():
    """The schema's check, its finding in one line: the key's path and what is wrong there
    (every block refuses unknown keys, so a typo cannot pass unnoticed)."""
    try:
        validate(config, "../config/schema.yaml")
    except WorkflowError as error:
        # the jsonschema ValidationError behind Snakemake's message
        found = error.__context__
        if not hasattr(found, "absolute_path"):
            raise
        where = ".".join(map(str, found.absolute_path)) or "top level"
        raise WorkflowError(f"config: {where}: {found.message}") from None


validate_config()


def recipe_values(mode, num_classes=2, **overrides):
    """finetune.<mode> with the classifier's outputs (the task's label count) and overrides."""
    return {**config["finetune"][mode], "num_classes": num_classes, **overrides}


def peft_recipe_values(mode, method, num_classes=2, task=None):
    """A PEFT method's recipe values: the mode's finetune block, then the overrides of
    peft.<mode>.hp, `all` first, then the method's, then those of the task (peft.<mode>.task_hp).
    """
    peft = config["peft"][mode]
    layers = [peft["hp"]] + [peft.get("task_hp", {}).get(task, {})] * (task is not None)
    values = {}
    for overrides in layers:  # a method's value replaces the same key's under `all`
        values.update(overrides.get("all", {}))
        values.update(overrides.get(method, {}))
    return recipe_values(mode, num_classes, **values)


def sweep_space(mode):
    """The sweep's settings (sweep.<mode>.grid: every combination) as a Paramspace: each setting's
    folder is named by its values, e.g. lr~0.0005."""
    grid = config["sweep"][mode]["grid"]
    table = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    return Paramspace(table, filename_params="*")


def sweep_recipe(mode, setting: dict, num_classes=2):
    """finetune.<mode> with the setting's values (as Python numbers, not numpy's)."""
    values = {k: v.item() if hasattr(v, "item") else v for k, v in setting.items()}
    return recipe_values(mode, num_classes, **values)


def check_recipes():
    """Every fine-tuning recipe of the config (both modes, each PEFT method's overrides on top),
    checked once here, before any job: ranges and combinations the schema cannot express; the
    label set against the classification head; the demo's recipe against its checkpoint.
    """
    for mode in ("demo", "real"):
        recipes = {f"finetune.{mode}": recipe_values(mode)}
        peft = config["peft"].get(mode, {})
        unknown = sorted(set(peft.get("methods", [])) - set(config["peft"]["methods"]))
        if unknown:
            raise WorkflowError(
                f"config: peft.{mode}.methods: {', '.join(unknown)} not defined in peft.methods"
            )
        hp_blocks = {f"peft.{mode}.hp": peft.get("hp", {})} | {
            f"peft.{mode}.task_hp.{task}": block
            for task, block in peft.get("task_hp", {}).items()
        }
        for where, block in hp_blocks.items():
            # a misspelt method would have its overrides silently never applied
            unused = sorted(set(block) - {"all", *config["peft"]["methods"]})
            if unused:
                raise WorkflowError(
                    f"config: {where}: {', '.join(unused)} not defined in peft.methods"
                )
        for method in peft.get("methods", []):
            recipes[f"peft.{mode}.hp.{method}"] = peft_recipe_values(mode, method)
            for task in peft.get("task_hp", {}):
                recipes[f"peft.{mode}.task_hp.{task}.{method}"] = peft_recipe_values(
                    mode, method, task=task
                )
        space = sweep_space(mode)  # every setting of the sweep
        for setting, row in zip(
            space.instance_patterns, space.dataframe.to_dict("records")
        ):
            recipes[f"sweep.{mode}.grid ({setting})"] = sweep_recipe(mode, row)
        for where, values in recipes.items():
            try:
                Recipe.from_config(values)
            except RecipeError as error:
                raise WorkflowError(f"config: {where}: {error}") from None
    pretrain, finetune = config["data"]["demo"]["pretrain"], config["finetune"]["demo"]
    # the demo fine-tunes the checkpoint it pretrains: one shape for both
    for key in ("arch", "max_positions"):
        if pretrain[key] != finetune[key]:
            raise WorkflowError(
                f"config: finetune.demo.{key}: {finetune[key]} but the demo's checkpoint is "
                f"pretrained with data.demo.pretrain.{key}: {pretrain[key]}"
            )


check_recipes()
try:  # every method names a registered kind (scripts/ftlib/peft/methods/) with the keys it takes
    check_methods(config["peft"]["methods"])
except UnknownKind as error:
    raise WorkflowError(f"config: {error}") from None
# a fixed seed among the varied ones would make one run twice
if config["variance"]["fixed_seed"] in config["variance"]["seeds"]:
    raise WorkflowError(
        f"config: variance.fixed_seed: {config['variance']['fixed_seed']} is also one of variance.seeds"
    )
for _key in ("accuracy", "counts"):  # a study's rows name methods of peft.methods
    for _row in config["peft"].get("study", {}).get(_key, []):
        if _row["method"] not in config["peft"]["methods"]:
            raise WorkflowError(
                f"config: peft.study.{_key}: method {_row['method']} is not in peft.methods"
            )

# Where the training and evaluation jobs run (resolved inside each job, on its node).
PLACEMENT = {"device": config["device"], "precision": config["precision"]}
if config["precision"] == "bf16":  # fairseq 0.12 runs bf16 on TPUs only
    logger.warning(
        "precision bf16: the fairseq jobs (and the demo's masked LM) will refuse it; "
        "the HF, PEFT and BLOOM jobs use it"
    )
if config["device"] == "cpu":  # refused now rather than in every job
    try:
        resolve_placement(**PLACEMENT, cuda_available=False)
    except DeviceError as error:
        raise WorkflowError(str(error)) from None

SPLITS = ["train", "valid", "test"]
CHECKPOINT_FILES = ["model.pt", "dict.txt", "sentencepiece.bpe.model"]


def repo_path(path):
    """A path of the config: relative to the working directory, else to the repository (runs
    with -d elsewhere see the repository's config/ and data/)."""
    path = Path(path)
    return str(
        path if path.is_absolute() or path.exists() else Path(workflow.basedir) / path
    )


def raw_file(split, ext, task="{task}"):
    """A labelled split as every branch reads it: its reviews or labels, one per line."""
    return f"data/{task}/raw/{split}.{ext}"


def is_pair(task):
    """A sentence-pair task (a sheet name; False for a wildcard pattern)."""
    return task in TASKS and TASKS[task].is_pair


def raw_split_files(task, pair=None):
    """The raw layout of a task: per split its texts (review, a pair's review2) and labels."""
    pair = is_pair(task) if pair is None else pair
    texts = ["review", "review2"] if pair else ["review"]
    return [raw_file(s, ext, task) for s in SPLITS for ext in (*texts, "label")]


def second_texts(kind, splits=SPLITS):
    """Input function: a pair task's second texts of the splits (raw or prepared), else none."""

    def inputs(wildcards):
        if not is_pair(wildcards.task):
            return []
        if kind == "raw":
            return [raw_file(s, "review2", wildcards.task) for s in splits]
        return [prepared_file(s, "spm.review2", wildcards.task) for s in splits]

    return inputs


def split_ids(task="{task}"):
    """Which source line each example of an imported task came from (valid carved from train)."""
    return f"data/{task}/split_ids.tsv"


def archive(kind="{kind}"):
    """A downloaded archive of the real checkpoint (kind: checkpoint)."""
    return f"data/downloads/{kind}.zip"


def task_downloads(task):
    """What a task downloads into data/downloads/: its archive or each split's file (tasks of one
    archive share it: FLUE's CLS domains)."""
    return [f"data/downloads/{archive_name(u)}" for u in TASKS[task].download_urls()]


def download_tasks(name):
    """The tasks that download the file called ``name``."""
    return [
        t
        for t in TASKS
        if any(archive_name(u) == name for u in TASKS[t].download_urls())
    ]


def download_url(name):
    """The URL of the download called ``name``."""
    return next(
        u for t in TASKS.values() for u in t.download_urls() if archive_name(u) == name
    )


def prepared_file(split, ext, task="{task}"):
    """A checked split of prepare_split: its SentencePiece-encoded reviews (spm.review) or labels."""
    return f"data/{task}/prepared/{split}.{ext}"


def prepared_splits(splits, task="{task}"):
    """The checked, SentencePiece-encoded splits (reviews and labels) of prepare_split."""
    return [
        prepared_file(s, ext, task) for s in splits for ext in ("spm.review", "label")
    ]


def data_bin(task="{task}"):
    """The labelled splits binarized by fairseq-preprocess (input0/, label/)."""
    return f"data/{task}/bin"


def pretrained_file(name, mode="{mode}"):
    """A file of the mode's checkpoint folder: the checkpoint, its dictionary and SentencePiece
    model (CHECKPOINT_FILES), and the record of its check."""
    return f"models/{mode}/pretrained/{name}"


def checkpoint_files(mode):
    return [pretrained_file(name, mode) for name in CHECKPOINT_FILES]


def task_checkpoint(name):
    """Input function: a file of the checkpoint folder of the task's mode."""
    return lambda wildcards: pretrained_file(name, task_mode(wildcards))


def hf_model(task="{task}"):
    """The checkpoint converted to a transformers folder, its parity checked on the task's
    reviews: the HF and PEFT branches' model."""
    return f"models/{task}/hf_pretrained"


def jsonl_split(split, task="{task}"):
    """A labelled split as jsonl (run_glue's layout): the HF and PEFT branches' data."""
    return f"data/{task}/jsonl/{split}.jsonl"


def needs_archive(kind, pattern):
    """Input function for unpacking: the archive, unless the file is already in place."""

    def inputs(wildcards):
        target = Path(pattern.format(**dict(wildcards.items())))
        return [] if target.exists() else [archive(kind)]

    return inputs


def task_source(wildcards):
    """Input of import_task: the task's archive or its folder's files, or nothing when every
    raw file is already in place (put there by hand: nothing is downloaded for them)."""
    task = TASKS[wildcards.task]
    if all(Path(p).exists() for p in raw_split_files(task.name)):
        return []
    if task.source_kind in ("url", "urls"):
        return task_downloads(task.name)
    return [str(p) for p in Path(task.source["folder"]).rglob("*") if p.is_file()]


# The task sheet: every task the workflow knows (config/tasks.yaml and the other sheets of
# task_sheets), and the ones this run takes (config key tasks; mode: demo | real, the older
# switch, stands for tasks [demo] or [cls-books]).
def load_task_sheet():
    try:
        return load_tasks(
            [repo_path(p) for p in config["task_sheets"]],
            Path(workflow.basedir) / "config" / "tasks.schema.yaml",
        )
    except SheetError as error:
        raise WorkflowError(str(error)) from None


TASKS = load_task_sheet()
for _name in {archive_name(u) for t in TASKS.values() for u in t.download_urls()}:
    if (
        len(
            {
                u
                for t in TASKS.values()
                for u in t.download_urls()
                if archive_name(u) == _name
            }
        )
        > 1
    ):
        raise WorkflowError(
            f"task sheets: tasks {', '.join(download_tasks(_name))}: source: two URLs "
            f"ending in {_name} (one file in data/downloads/)"
        )


def inputs_present(task):
    """Whether a real task can run without a download: its raw splits and the real checkpoint
    are in place (downloaded before, or put there by hand)."""
    return all(
        Path(p).exists()
        for p in raw_split_files(task.name) + checkpoint_files(task.mode)
    )


def requested_tasks():
    requested = config["tasks"]
    if requested == "auto" and config.get("mode", "auto") != "auto":
        requested = ["demo"] if config["mode"] == "demo" else ["cls-books"]
    try:
        names = select(TASKS, requested, inputs_present)
    except SheetError as error:
        raise WorkflowError(str(error)) from None
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
_requested = config["tasks"]
config["tasks"] = (
    RUN_TASKS  # what ran, not `auto`: the HTML report's front page says it
)
RUN_MODES = list(dict.fromkeys(TASKS[t].mode for t in RUN_TASKS))
# the sweep's folders are named by the grid's keys: those of the first task's mode
SWEEP = sweep_space(RUN_MODES[0])
logger.info(
    f"fine-tuning workflow: tasks {', '.join(RUN_TASKS)} "
    f"(mode {', '.join(RUN_MODES)}; config tasks: {_requested})"
)


def task_mode(wildcards):
    return TASKS[wildcards.task].mode


# The model sheet (config/models.yaml and the other sheets of model_sheets): the models the PEFT
# branch can fine-tune; peft.model picks one for every task (auto: the task's own checkpoint).
try:
    MODELS = load_models(
        [repo_path(p) for p in config["model_sheets"]],
        Path(workflow.basedir) / "config" / "models.schema.yaml",
    )
except SheetError as error:
    raise WorkflowError(str(error)) from None


def peft_model(task, name=None):
    """The model sheet entry the PEFT branch fine-tunes on ``task``: ``name`` (a run's path
    names its model), else config peft.model; a bad choice is one line."""
    try:
        return model_for(
            MODELS, name or config["peft"]["model"], task, TASKS[task].mode
        )
    except SheetError as error:
        raise WorkflowError(str(error)) from None


for _task in RUN_TASKS:  # this run's choice, checked at start-up
    peft_model(_task)


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


def names_pattern(names):
    """A wildcard constraint matching exactly these names (none: matching nothing)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


def attempt_scaled(base):
    """A resource (mem_mb, runtime) that grows with the attempt: a job killed at its memory or
    time limit asks for twice as much on its retry (the SLURM profile's `retries`), and a
    training job continues from its last finished epoch (ftlib/core/resume.py)."""

    def value(wildcards, attempt):
        return (base(wildcards) if callable(base) else base) * attempt

    return value


def finetune_hp(wildcards):
    """The recipe of the task's mode, with one classifier output per label of the task."""
    return recipe_values(task_mode(wildcards), len(TASKS[wildcards.task].labels))


def run_dir(task, init, seed, branch="fairseq"):
    return f"runs/{task}/{branch}/{init}/seed{seed}"


def branch_runs(task, branch):
    """The run folders of one classification branch: fairseq, fairseq_stock and HF (inits x
    seeds), PEFT (methods x seeds), the fairseq sweep (settings x seeds)."""
    if branch == "fairseq_sweep":
        return sweep_runs(task)
    if branch == "peft":
        peft = config["peft"][TASKS[task].mode]
        model = peft_model(task).name
        return [
            f"runs/{task}/peft/{model}/{method}/seed{seed}"
            for method in peft["methods"]
            for seed in peft["seeds"]
        ]
    return [
        run_dir(task, init, seed, branch)
        for init in config["inits"]
        for seed in config["seeds"]
    ]


# The branches `all` runs (config key branches; a study preset runs the PEFT branch alone).
BRANCHES = config["branches"]


def classifier_branches():
    return [b for b in ("fairseq", "hf", "peft") if b in BRANCHES]


def training_runs(task):
    """The run folders of every training run of `all` on the task but BLOOM's."""
    return [
        run for branch in classifier_branches() for run in branch_runs(task, branch)
    ]


def all_run_records(wildcards):
    """run.json of every training run of `all` on the task (and the BLOOM run of its mode)."""
    bloom = [f"runs/{task_mode(wildcards)}/bloom/run.json"] * ("bloom" in BRANCHES)
    return [f"{run}/run.json" for run in training_runs(wildcards.task)] + bloom


def branch_run_records(wildcards):
    return [f"{run}/run.json" for run in branch_runs(wildcards.task, wildcards.branch)]


def branch_table(branch):
    """One branch's runs table, what its report reads (rule gather_branch_runs)."""
    return f"reports/{{task}}/runs/{branch}.csv"


def branch_predictions(*branches):
    """Input function: predictions.tsv of every run of these branches (the paired tests)."""
    return lambda wildcards: [
        f"{run}/predictions.tsv"
        for branch in branches
        for run in branch_runs(wildcards.task, branch)
    ]


# Each run's own files: `all` asks for them by name, so the plain command redoes a run whose
# files went missing (a killed --forcerun, a deletion) even where the reports above it exist;
# Snakemake leaves a missing intermediate file alone when what depends on it is up to date.
RUN_FILES = ["metrics.json", "run.json", "predictions.tsv"]


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


def add_code_params():
    """Each scripted step gets param `code`, the digest of its script and of every project
    module the script imports (ftlib/core/code_digest.py). Snakemake reruns a job when a param
    changes, so a library change reruns exactly the jobs that import it; content decides, not
    mtime. Called once every rule is defined (end of the Snakefile)."""
    for each in workflow.rules:
        if each.script:
            each.set_params(code=code_digest(Path(str(each.basedir)) / each.script))
