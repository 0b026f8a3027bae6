"""Snakemake script: fine-tune one (init, seed) with transformers.Trainer on fairseq's recipe.

One seed sets the three sources of randomness of a run: the initial weights (the new head;
every weight from scratch), the order of the training examples and the dropout masks. The
variance study (rules/variance.smk) sets each on its own (params.seeds).

pretrained: the converted checkpoint's encoder with a new classification head; scratch: the
same architecture and tokenizer, random weights. Writes TensorBoard logs laid out as the
fairseq branch's and metrics.json read back from them.
"""
from pathlib import Path

from ftlib.core.device import resolve
from ftlib.core.errors import run_step
from ftlib.core.recipe import Recipe
from ftlib.core.seeding import seed_everything
from ftlib.hf.convert import check_hf_folder
from ftlib.hf.dropout import config_with_recipe_dropout
from ftlib.hf.init import fairseq_init
from ftlib.hf.train import train_classifier
from ftlib.core.run_record import run_record
from ftlib.core.textio import write_json


def build_model(hf_dir, init, recipe, num_labels):
    from transformers import RobertaForSequenceClassification

    # fairseq's --dropout / --attention-dropout of the recipe; the classification head keeps
    # the checkpoint's pooler dropout (converted into classifier_dropout).
    config = config_with_recipe_dropout(hf_dir, num_labels, recipe.dropout, recipe.attention_dropout)
    if init == "pretrained":
        model = RobertaForSequenceClassification.from_pretrained(hf_dir, config=config)
    else:
        model = RobertaForSequenceClassification(config)
    return fairseq_init(model, scratch=init == "scratch")


def main():
    from transformers import AutoTokenizer

    inp, out, wc = snakemake.input, snakemake.output, snakemake.wildcards
    recipe, labels, seed = Recipe.from_config(snakemake.params.hp), snakemake.params.labels, int(wc.seed)
    # {init, data_order, dropout}: one seed for all three, or the variance study's
    seeds = dict(snakemake.params.get("seeds") or {source: seed for source in ("init", "data_order", "dropout")})
    check_hf_folder(inp.hf_dir)
    placement = resolve(**snakemake.params.placement)
    print(f"fine-tune HF {wc.init} seed {seed} from {inp.hf_dir} on {placement.device} ({placement.name}, "
          f"{placement.precision})", flush=True)
    seed_everything(seeds["init"])  # before building: the scratch weights and the new head depend on it
    tokenizer = AutoTokenizer.from_pretrained(inp.hf_dir)
    model = build_model(inp.hf_dir, wc.init, recipe, len(labels))
    data = {"train": inp.train, "valid": inp.valid, "test": inp.test}
    metrics = train_classifier(model, tokenizer, data, recipe, Path(out.metrics).parent, seeds["dropout"],
                               snakemake.threads, labels, placement, out.predictions, data_seed=seeds["data_order"],
                               weights_path=out.get("weights"))
    metrics.update(init=wc.init, toolkit="hf", seeds=seeds)
    branch, run = snakemake.params.get("branch", "hf"), snakemake.params.get("run", wc.init)
    write_json(out.record, run_record(branch, run, seed, dict(snakemake.params.hp), metrics,
                                      code_digest=snakemake.params.code))
    print(f"best valid epoch {metrics['best_epoch']}: valid {metrics['best_valid_accuracy']:.1f}, "
          f"test {metrics['test_accuracy']:.1f}, {metrics['wall_seconds']:.0f} s", flush=True)
    write_json(out.metrics, metrics)


run_step(main, snakemake.output, snakemake.log[0])
