"""Snakemake script: check one labelled split, then SentencePiece-encode its reviews (and check
that dict.txt knows the pieces)."""
from ftlib.data.checks import check_labelled_split, check_pieces_in_dictionary
from ftlib.core.errors import run_step
from ftlib.data.spm_encode import encode_lines, load_sentencepiece
from ftlib.core.textio import write_lines


def main():
    reviews, labels = check_labelled_split(
        snakemake.input.review, snakemake.input.label, snakemake.params.labels
    )
    processor = load_sentencepiece(snakemake.input.spm)
    encoded = encode_lines(processor, reviews)
    missing = check_pieces_in_dictionary(encoded, snakemake.input.spm, snakemake.input.dictionary)
    write_lines(snakemake.output.review, encoded)
    if "label" in snakemake.output.keys():  # not for a pair's second texts (prepare_second_text)
        write_lines(snakemake.output.label, labels)
    print(f"{snakemake.wildcards.split}: {len(reviews)} reviews checked and encoded "
          f"({missing:.2%} of the pieces not in dict.txt)", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
