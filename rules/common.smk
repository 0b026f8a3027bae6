# Helpers shared by all stages: the validated config, the mode, paths and input functions.
import itertools
import os
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


def peft_recipe_values(mode, method):
    """A PEFT method's recipe values: the mode's finetune block, then the overrides of
    peft.<mode>.hp, `all` first, then the method's."""
    overrides = config["peft"][mode]["hp"]
    return {
        **config["finetune"][mode],
        **overrides.get("all", {}),
        **overrides.get(method, {}),
    }


def sweep_space(mode):
    """The sweep's settings (sweep.<mode>.grid: every combination) as a Paramspace: each setting's
    folder is named by its values, e.g. lr~0.0005."""
    grid = config["sweep"][mode]["grid"]
    table = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    return Paramspace(table, filename_params="*")


def sweep_recipe(mode, setting: dict):
    """finetune.<mode> with the setting's values (as Python numbers, not numpy's)."""
    values = {k: v.item() if hasattr(v, "item") else v for k, v in setting.items()}
    return {**config["finetune"][mode], **values}


def check_recipes():
    """Every fine-tuning recipe of the config (both modes, each PEFT method's overrides on top),
    checked once here, before any job: ranges and combinations the schema cannot express; the
    label set against the classification head; the demo's recipe against its checkpoint.
    """
    for mode in ("demo", "real"):
        recipes = {f"finetune.{mode}": config["finetune"][mode]}
        peft = config["peft"].get(mode, {})
        unknown = sorted(set(peft.get("methods", [])) - set(config["peft"]["methods"]))
        if unknown:
            raise WorkflowError(
                f"config: peft.{mode}.methods: {', '.join(unknown)} not defined in peft.methods"
            )
        unused = sorted(set(peft.get("hp", {})) - {"all", *config["peft"]["methods"]})
        if unused:  # a misspelt method would have its overrides silently never applied
            raise WorkflowError(
                f"config: peft.{mode}.hp: {', '.join(unused)} not defined in peft.methods"
            )
        for method in peft.get("methods", []):
            recipes[f"peft.{mode}.hp.{method}"] = peft_recipe_values(mode, method)
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
    labels = config["labels"]
    for mode in ("demo", "real"):  # one output of the classification head per label
        classes = config["finetune"][mode]["num_classes"]
        if classes != len(labels):
            raise WorkflowError(
                f"config: finetune.{mode}.num_classes: {classes}, but labels has "
                f"{len(labels)} entries ({', '.join(map(str, labels))})"
            )
    pretrain, finetune = config["data"]["demo"]["pretrain"], config["finetune"]["demo"]
    # the demo fine-tunes the checkpoint it pretrains: one shape for both
    for key in ("arch", "max_positions"):
        if pretrain[key] != finetune[key]:
            raise WorkflowError(
                f"config: finetune.demo.{key}: {finetune[key]} but the demo's checkpoint is "
                f"pretrained with data.demo.pretrain.{key}: {pretrain[key]}"
            )


check_recipes()

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


def raw_file(split, ext, mode="{mode}"):
    """A labelled split as the inputs give it: its reviews or labels, one per line."""
    return f"data/{mode}/raw/{split}.{ext}"


def raw_split_files(mode):
    return [raw_file(s, ext, mode) for s in SPLITS for ext in ("review", "label")]


def archive(kind="{kind}"):
    """A downloaded archive of the real inputs (kind: data or checkpoint)."""
    return f"data/downloads/{kind}.zip"


# The real FAQ of the BLOOM branch, downloaded (or placed there by hand).
REAL_BLOOM_FAQ = "data/real/bloom/ecommerce-faq-fr.json"


def prepared_file(split, ext, mode="{mode}"):
    """A checked split of prepare_split: its SentencePiece-encoded reviews (spm.review) or labels."""
    return f"data/{mode}/prepared/{split}.{ext}"


def prepared_splits(splits, mode="{mode}"):
    """The checked, SentencePiece-encoded splits (reviews and labels) of prepare_split."""
    return [
        prepared_file(s, ext, mode) for s in splits for ext in ("spm.review", "label")
    ]


def data_bin(mode="{mode}"):
    """The labelled splits binarized by fairseq-preprocess (input0/, label/)."""
    return f"data/{mode}/bin"


def pretrained_file(name, mode="{mode}"):
    """A file of the mode's checkpoint folder: the checkpoint, its dictionary and SentencePiece
    model (CHECKPOINT_FILES), and the record of its check."""
    return f"models/{mode}/pretrained/{name}"


def checkpoint_files(mode):
    return [pretrained_file(name, mode) for name in CHECKPOINT_FILES]


def hf_model(mode="{mode}"):
    """The checkpoint converted to a transformers folder: the HF and PEFT branches' model."""
    return f"models/{mode}/hf_pretrained"


def jsonl_split(split, mode="{mode}"):
    """A labelled split as jsonl (run_glue's layout): the HF and PEFT branches' data."""
    return f"data/{mode}/jsonl/{split}.jsonl"


def bloom_faq_split(split, mode="{mode}"):
    """The FAQ's training or held-out pairs (jsonl) of the BLOOM branch."""
    return f"data/{mode}/bloom/{split}.jsonl"


# The demo's tiny Bloom, pretrained by the workflow.
BLOOM_DEMO_BASE = "models/demo/bloom_base"
REAL_BLOOM_BASE = "models/real/bloom_base"


# What each real archive provides, and where it goes.
REAL_ARCHIVE_FILES = {
    "data": raw_split_files("real"),
    "checkpoint": checkpoint_files("real"),
}


def needs_archive(kind, pattern):
    """Input function for unpacking: the archive, unless the file is already in place."""

    def inputs(wildcards):
        target = Path(pattern.format(**dict(wildcards.items())))
        return [] if target.exists() else [archive(kind)]

    return inputs


def resolve_mode(requested):
    """auto: the real inputs when all of them are in place (downloaded or by hand), else demo."""
    if requested != "auto":
        return requested
    present = all(
        Path(p).exists() for p in raw_split_files("real") + checkpoint_files("real")
    )
    return "real" if present else "demo"


MODE = resolve_mode(config["mode"])
SWEEP = sweep_space(MODE)
logger.info(f"fine-tuning workflow: mode={MODE} (config mode: {config['mode']})")


def attempt_scaled(base):
    """A resource (mem_mb, runtime) that grows with the attempt: a job killed at its memory or
    time limit asks for twice as much on its retry (the SLURM profile's `retries`), and a
    training job continues from its last finished epoch (ftlib/core/resume.py)."""

    def value(wildcards, attempt):
        return (base(wildcards) if callable(base) else base) * attempt

    return value


def finetune_hp(wildcards):
    return config["finetune"][wildcards.mode]


def stock_hp(wildcards):
    """The config's recipe without the speed levers: the tuned-vs-stock comparison's baseline."""
    return {**config["finetune"][wildcards.mode], **STOCK_LEVERS}


def run_dir(mode, init, seed, branch="fairseq"):
    return f"runs/{mode}/{branch}/{init}/seed{seed}"


def finetune_inputs(wildcards):
    """The pretrained init restores the checkpoint; scratch starts from random weights.

    Both wait for the checkpoint check: both use its dict.txt, and a bad checkpoint must stop
    the workflow before any training.
    """
    inputs = {
        "data_bin": data_bin(wildcards.mode),
        "train_labels": prepared_file("train", "label", wildcards.mode),
        "checkpoint_check": pretrained_file("checkpoint_check.json", wildcards.mode),
    }
    if wildcards.init == "pretrained":
        inputs["checkpoint"] = pretrained_file("model.pt", wildcards.mode)
    return inputs


def all_run_benchmarks(wildcards):
    return [
        f"benchmarks/{wildcards.mode}/finetune_fairseq/{init}_seed{seed}.tsv"
        for init in config["inits"]
        for seed in config["seeds"]
    ]


def probe_json(mode="{mode}"):
    """The frozen-feature probe of the checkpoint, and of a random-init encoder beside it."""
    return f"reports/{mode}/probe.json"


def probe_results(wildcards):
    """The frozen-feature probe, and in the demo the probe along the masked-LM pretraining."""
    inputs = {"probe": probe_json(wildcards.mode)}
    if wildcards.mode == "demo":
        inputs["probe_curve"] = rules.probe_pretraining_curve.output.curve
    return inputs


def fairseq_report(mode):
    return f"reports/{mode}/fairseq_report.md"


def bloom_cfg(wildcards):
    """The BLOOM branch's settings for this mode (config["bloom"]["demo"|"real"])."""
    return config["bloom"][wildcards.mode]


def bloom_faq_source(wildcards):
    """The demo's FAQ ships with the repository; the real one is downloaded (or placed by hand)."""
    if wildcards.mode == "demo":
        faq = Path(config["bloom"]["demo"]["faq"])
        # relative to the working directory, else to the repository (runs with -d elsewhere)
        return str(
            faq if faq.is_absolute() or faq.exists() else Path(workflow.basedir) / faq
        )
    return REAL_BLOOM_FAQ


def bloom_base_source(wildcards):
    """The folder the BLOOM job loads its base from: the demo's, built by the workflow; the real
    one fetched from the hub by a local rule (fetch_bloom_base) before the GPU job, unless
    bloom.real.base_model already names a local folder."""
    if wildcards.mode == "demo":
        return BLOOM_DEMO_BASE
    base = config["bloom"]["real"]["base_model"]
    return base if Path(base).is_dir() else REAL_BLOOM_BASE


def bloom_base_input(wildcards):
    source = bloom_base_source(wildcards)
    return {"base": source} if source in (BLOOM_DEMO_BASE, REAL_BLOOM_BASE) else {}


def bloom_report(mode):
    return f"reports/{mode}/bloom_report.md"


def peft_hp(wildcards):
    return peft_recipe_values(wildcards.mode, wildcards.method)


def peft_method_spec(wildcards):
    return config["peft"]["methods"][wildcards.method]


def peft_report(mode):
    return f"reports/{mode}/peft_report.md"


def lr_curve_runs(wildcards):
    """TensorBoard logs of one fairseq and one HF run (first init, first seed) for the lr plot."""
    init, seed = config["inits"][0], config["seeds"][0]
    return {
        "fairseq_lr": f"{run_dir(wildcards.mode, init, seed)}/tensorboard",
        "hf_lr": f"{run_dir(wildcards.mode, init, seed, 'hf')}/tensorboard",
    }


def hf_published(wildcards):
    return config["hf"][wildcards.mode]["published"]


def comparison_report(mode):
    return f"reports/{mode}/comparison_report.md"


def branch_runs(mode, branch):
    """The run folders of one classification branch: fairseq, fairseq_stock and HF (inits x
    seeds), PEFT (methods x seeds), the fairseq sweep (settings x seeds)."""
    if branch == "fairseq_sweep":
        return sweep_runs(mode)
    if branch == "peft":
        peft = config["peft"][mode]
        return [
            f"runs/{mode}/peft/{method}/seed{seed}"
            for method in peft["methods"]
            for seed in peft["seeds"]
        ]
    return [
        run_dir(mode, init, seed, branch)
        for init in config["inits"]
        for seed in config["seeds"]
    ]


def training_runs(mode):
    """The run folders of every training run of `all` but BLOOM's."""
    return [
        run for branch in ("fairseq", "hf", "peft") for run in branch_runs(mode, branch)
    ]


def all_run_records(wildcards):
    """run.json of every training run of `all` (BLOOM's too)."""
    return [f"{run}/run.json" for run in training_runs(wildcards.mode)] + [
        f"runs/{wildcards.mode}/bloom/run.json"
    ]


def branch_run_records(wildcards):
    return [f"{run}/run.json" for run in branch_runs(wildcards.mode, wildcards.branch)]


def branch_table(branch):
    """One branch's runs table, what its report reads (rule gather_branch_runs)."""
    return f"reports/{{mode}}/runs/{branch}.csv"


def branch_predictions(*branches):
    """Input function: predictions.tsv of every run of these branches (the paired tests)."""
    return lambda wildcards: [
        f"{run}/predictions.tsv"
        for branch in branches
        for run in branch_runs(wildcards.mode, branch)
    ]


def sweep_hp(wildcards):
    return sweep_recipe(wildcards.mode, SWEEP.instance(wildcards))


def sweep_runs(mode):
    sweep = config["sweep"][mode]
    return [
        f"runs/{mode}/fairseq/{sweep['init']}/{setting}/seed{seed}"
        for setting in SWEEP.instance_patterns
        for seed in sweep["seeds"]
    ]


def all_targets(mode):
    """What `snakemake all` builds: each branch's report (branches add theirs here), and the
    table of every run."""
    return [
        fairseq_report(mode),
        bloom_report(mode),
        comparison_report(mode),
        peft_report(mode),
        f"reports/{mode}/runs.csv",
        f"reports/{mode}/statistics.md",
    ]
