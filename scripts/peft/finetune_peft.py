"""Snakemake script: fine-tune one (PEFT method, seed) of one model of the model sheet (any
model AutoModelForSequenceClassification loads: the converted checkpoint, BERT, RoBERTa, T5, ...).

The method (config peft.methods) decides which tensors train; the training itself is the HF
branch's ftlib.hf.train.train_classifier (the same recipe as finetune_hf, with this method's
hyperparameter overrides). metrics.json has train_classifier's keys (per-epoch valid/test
accuracy, test accuracy at the best-valid epoch, wall time, peak RSS) plus the method, its
exact parameter counts and the per-epoch costs.
"""
from pathlib import Path

from ftlib.core import transformers_guard  # noqa: F401  (first: hides the unloadable torchaudio from transformers)
from ftlib import peft as peft_methods
from ftlib.core.device import resolve
from ftlib.core.errors import InputError, run_step
from ftlib.core.recipe import Recipe
from ftlib.core.seeding import seed_everything
from ftlib.core.run_record import run_record
from ftlib.core.textio import write_json
from ftlib.hf.dropout import config_with_recipe_dropout
from ftlib.accounting.meta import parameter_counts
from ftlib.core.memory import PeakSampler


def job_recipe(spec: dict) -> tuple[dict, Recipe]:
    """The config's hyperparameters (kept as given for metrics.json) and the recipe they make, with
    the positions a soft prompt leaves for the text."""
    hp = dict(snakemake.params.hp)
    hp["max_positions"] = peft_methods.max_positions_for(spec, hp["max_positions"])
    return hp, Recipe.from_config(hp)


def load_model(model_dir: Path, spec: dict, labels: list, seed: int, recipe: Recipe):
    """The sheet's model as a sequence classifier with the recipe's dropout and the method applied,
    its tokenizer and its parameter counts. The seed is set first: the new head's initialisation
    depends on it."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if not (model_dir / "config.json").is_file():
        raise InputError(model_dir / "config.json", "missing: not a HuggingFace checkpoint folder")
    config = config_with_recipe_dropout(model_dir, len(labels), recipe.dropout, recipe.attention_dropout)
    seed_everything(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, config=config)
    model = peft_methods.apply_method(model, spec)
    return tokenizer, model, parameter_counts(model)


def job_metrics(metrics: dict, spec: dict, hp: dict, counts: dict, memory, seed: int) -> dict:
    """train_classifier's metrics with the method, its exact counts and the per-epoch costs."""
    epochs = len(metrics["epochs"])
    metrics.update(
        method=snakemake.wildcards.method, kind=spec["kind"], spec=spec, model=snakemake.wildcards.model, seed=seed,
        hp=hp, threads=snakemake.threads, trainable_params=counts["trainable"], total_params=counts["total"],
        trainable_share=counts["trainable"] / counts["total"],
        training_rss_increase_mb=round(memory.peak_mb - memory.start_mb, 1),
        wall_seconds_per_epoch=round(metrics["wall_seconds"] / epochs, 2),
    )
    return metrics


def main():
    import torch

    from ftlib.hf.train import train_classifier

    method, seed, model_name = snakemake.wildcards.method, int(snakemake.wildcards.seed), snakemake.wildcards.model
    spec, labels = dict(snakemake.params.spec), list(snakemake.params.labels)
    hp, recipe = job_recipe(spec)
    placement = resolve(**snakemake.params.placement)
    torch.set_num_threads(snakemake.threads)
    tokenizer, model, counts = load_model(Path(snakemake.input.model), spec, labels, seed, recipe)
    print(f"PEFT {method} ({spec['kind']}) on {model_name} ({type(model).__name__}) seed {seed}: trainable {counts['trainable']:,} of "
          f"{counts['total']:,} parameters ({100 * counts['trainable'] / counts['total']:.3f} %), "
          f"lr {recipe.lr}, batch {recipe.batch_size}, {recipe.max_epoch} epochs, "
          f"{snakemake.threads} thread(s), on {placement.device} ({placement.name}, {placement.precision})", flush=True)

    out_dir = Path(snakemake.output.metrics).parent
    data_files = {"train": snakemake.input.train, "valid": snakemake.input.valid, "test": snakemake.input.test}
    with PeakSampler() as memory:
        metrics = train_classifier(model, tokenizer, data_files, recipe, str(out_dir), seed,
                                   snakemake.threads, labels, placement, snakemake.output.predictions,
                                   weights_path=snakemake.output.weights)
    if len(metrics["epochs"]) != recipe.max_epoch:
        raise RuntimeError(f"{out_dir}: {len(metrics['epochs'])} epochs evaluated, expected {recipe.max_epoch}")
    metrics = job_metrics(metrics, spec, hp, counts, memory, seed)
    write_json(snakemake.output.record, run_record("peft", method, seed, hp, metrics, kind=spec["kind"], model=model_name,
                                                   trainable_params=counts["trainable"],
                                                   total_params=counts["total"],
                                                   code_digest=snakemake.params.code))
    write_json(snakemake.output.metrics, metrics)
    print(f"{method} seed {seed}: best valid epoch {metrics['best_epoch']}: valid "
          f"{metrics['best_valid_accuracy']:.1f}, test {metrics['test_accuracy']:.1f}; "
          f"{metrics['wall_seconds_per_epoch']:.1f} s/epoch, peak RSS {metrics['peak_rss_mb']:.0f} MB "
          f"(+{metrics['training_rss_increase_mb']:.0f} MB while training)",
          flush=True)


run_step(main, snakemake.output, snakemake.log[0])
