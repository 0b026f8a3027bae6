"""Snakemake script: download the French e-commerce FAQ (one line offline, saying where to put
the file by hand)."""
from pathlib import Path

from ftlib.bloom.data import read_faq
from ftlib.data.download import fetch
from ftlib.core.errors import run_step


def main():
    out = Path(snakemake.output[0])
    fetch(snakemake.params.url, out, snakemake.params.sha256,
          by_hand=f"place ecommerce-faq-fr.json at {out} by hand", verify=read_faq)  # FAQ pairs, not an error page
    print(f"downloaded {snakemake.params.url} -> {out}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
