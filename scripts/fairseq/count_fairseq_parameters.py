"""Snakemake script: parameter accounting, counted on built encoders and by formula.

Always reports the published roberta_small (V=32000, T=256), whose count the course gives
(22,829,056), and the encoder this mode fine-tunes, with this mode's vocabulary.
"""
from ftlib.data.checks import dictionary_size
from ftlib.core.errors import run_step
from ftlib.accounting.fairseq_encoder import (EncoderShape, count_encoder, encoder_formula, encoder_weights_only,
                               roberta_small_formula)
from ftlib.core.textio import write_json


def account(arch, vocab, positions):
    shape = EncoderShape.from_arch(arch, vocab, positions)
    counted = count_encoder(arch, vocab, positions)
    row = {
        "arch": arch, "layers": shape.layers, "dim": shape.dim, "ffn": shape.ffn,
        "vocab": vocab, "positions": positions,
        "counted": counted["total"], "formula": encoder_formula(shape),
        "counted_weights_only": counted["weights_only"],
        "formula_weights_only": encoder_weights_only(shape),
        "embed_tokens": counted["embed_tokens"], "embed_positions": counted["embed_positions"],
    }
    if arch == "roberta_small" and shape.ffn == shape.dim:
        row["course_formula"] = roberta_small_formula(shape.dim, vocab, positions)
    mismatched = [k for k in ("formula", "course_formula") if k in row and row[k] != row["counted"]]
    if mismatched or row["counted_weights_only"] != row["formula_weights_only"]:
        raise RuntimeError(f"parameter count disagrees with its formula for {arch}: {row}")
    return row


def main():
    rows = [account("roberta_small", 32000, 256)]
    arch, positions = snakemake.params.arch, snakemake.params.max_positions
    vocab = dictionary_size(snakemake.input.dictionary)
    if (arch, vocab, positions) != ("roberta_small", 32000, 256):
        rows.append(account(arch, vocab, positions))
    for row in rows:
        print(f"{row['arch']} V={row['vocab']}: counted {row['counted']:,} = formula {row['formula']:,}", flush=True)
    write_json(snakemake.output[0], {"encoders": rows})


run_step(main, snakemake.output, snakemake.log[0])
