"""The last step of every export: the staged folder loaded as a user loads it, its test-set
predictions proved equal to the run's (predictions.tsv), its model card and export.json written,
then moved into place whole (nothing half written counts as done)."""
from __future__ import annotations

import shutil
from pathlib import Path

from ftlib.core.textio import write_json
from ftlib.export.card import model_card
from ftlib.export.predict import load_exported, parity_with_run, predict_texts


def publish(staging: Path, out: Path, load_keys: dict, chosen, params, test_path, info_for) -> dict:
    """``load_keys``: what loading the folder needs besides it (format, base, method; kept in
    export.json); ``info_for(parity)``: the card's information. Returns the card's information."""
    from ftlib.hf.data import read_jsonl

    labels = list(params.labels)
    write_json(staging / "export.json", load_keys)
    model, tokenizer, max_positions = load_exported(staging)
    texts, _ = read_jsonl(test_path, labels)
    predicted, probabilities = predict_texts(model, tokenizer, texts, max_positions)
    parity = parity_with_run(predicted, probabilities, f"{chosen.run_dir}/predictions.tsv", labels,
                             params.export["atol"])
    print(f"seed {chosen.seed} (valid {chosen.best_valid_accuracy}): parity on {parity['examples']} test "
          f"examples, max |Δp| {parity['max_abs_difference']:.1e}", flush=True)
    info = {**info_for(parity), **load_keys}
    model_card(info).save(staging / "README.md")
    write_json(staging / "export.json", {k: v for k, v in info.items() if k != "language"})
    shutil.rmtree(out, ignore_errors=True)
    Path(staging).rename(out)
    return info
