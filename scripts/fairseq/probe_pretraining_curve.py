"""Snakemake script (demo): where does the masked LM start to carry the label's signal? Probe
and fill-mask agreement (ftlib.fairseq.probe) of the checkpoints saved during the demo's pretraining;
the random-init encoder's probe (update 0) is probe_checkpoint's, read from its probe.json."""
import json
import re
import time
from pathlib import Path

import torch

from ftlib.data.checks import load_dictionary
from ftlib.data.demo_reviews import ASPECTS, SUBJECTS, DemoCorpusSpec
from ftlib.core.errors import run_step
from ftlib.hf.parity import fairseq_encoder
from ftlib.core.plots import plot_pretraining_curve
from ftlib.fairseq.probe import encode_probe_splits, fill_mask_agreement, probe_encoder
from ftlib.data.spm_encode import load_sentencepiece
from ftlib.core.textio import write_json


def main():
    start = time.time()
    torch.set_num_threads(snakemake.threads)
    hp = snakemake.params.hp
    dictionary = load_dictionary(snakemake.input.dictionary)
    processor = load_sentencepiece(snakemake.input.spm)
    lexicon = DemoCorpusSpec(**snakemake.params.corpus).lexicon
    splits = encode_probe_splits(snakemake.params.prepared, dictionary, hp)
    checkpoints = sorted(Path(snakemake.input.steps).glob("update*.pt"),
                         key=lambda p: int(re.fullmatch(r"update(\d+)\.pt", p.name).group(1)))
    points = []
    for path in checkpoints:
        encoder, _, _ = fairseq_encoder(path, snakemake.input.dictionary)
        probes = probe_encoder(encoder, splits, dictionary.pad())
        fill = fill_mask_agreement(encoder, processor, dictionary, lexicon.positive, lexicon.negative,
                                   SUBJECTS, ASPECTS, snakemake.input.spm)
        points.append({"updates": int(path.stem[len("update"):]), "probe_mean": probes["mean"][0],
                       "probe_first": probes["first"][0], "fill_mask_agreement": fill["agreement"],
                       **{k: v for k, v in fill.items() if k != "agreement"}})
        print(f"{path.name}: probe {points[-1]['probe_mean']:.1f} % (<s> {points[-1]['probe_first']:.1f} %), "
              f"fill-mask agreement {fill['agreement']:.2f}", flush=True)
    random = json.loads(Path(snakemake.input.probe).read_text())["probes"]
    result = {"points": points, "random_probe_mean": random["random_mean"]["accuracy"],
              "random_probe_first": random["random_first"]["accuracy"], "wall_seconds": time.time() - start}
    plot_pretraining_curve(points, result["random_probe_mean"], snakemake.output.plot,
                           "The demo's masked LM: when does it learn the opinion words' polarity?")
    write_json(snakemake.output.curve, result)


run_step(main, snakemake.output, snakemake.log[0])
