"""Snakemake script: write the demo's labelled splits and its unlabelled pretraining text."""
from ftlib.data.demo_reviews import DemoCorpusSpec, make_corpus
from ftlib.core.errors import run_step
from ftlib.core.textio import write_lines


def main():
    spec = DemoCorpusSpec(**snakemake.params.corpus)
    corpus = make_corpus(spec)
    for path in snakemake.output.splits:
        split, ext = path.rsplit("/", 1)[1].split(".")
        reviews, labels = corpus[split]
        write_lines(path, reviews if ext == "review" else labels)
    write_lines(snakemake.output.pretrain, corpus["pretrain"][0])
    print(f"demo corpus: {spec}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
