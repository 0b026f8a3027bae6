"""Snakemake script: check one labelled split, then SentencePiece-encode its reviews."""
from ftlib.data.checks import check_labelled_split
from ftlib.core.errors import run_step
from ftlib.data.spm_encode import encode_lines, load_sentencepiece
from ftlib.core.textio import write_lines


def main():
    reviews, labels = check_labelled_split(
        snakemake.input.review, snakemake.input.label, snakemake.params.labels
    )
    processor = load_sentencepiece(snakemake.input.spm)
    write_lines(snakemake.output.review, encode_lines(processor, reviews))
    write_lines(snakemake.output.label, labels)
    print(f"{snakemake.wildcards.split}: {len(reviews)} reviews checked and encoded", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
