"""The export of a Trainer-trained run, every PEFT method: the run's model rebuilt from its base and
its kept best-valid weights computes what the trained model computed, and the folder written in
the method's format loads back (merged methods through transformers alone) with the same outputs."""
import json

import pytest
import yaml

from conftest import REPO
from ftlib.export.trained import TRAINABLE_FILE, load_any, rebuild, save_export
from ftlib import peft as peft_methods

import torch  # noqa: E402  (after ftlib.peft, which hides the broken torchaudio)

METHODS = yaml.safe_load((REPO / "config/config.yaml").read_text())["peft"]["methods"]
FORMAT = {"full": "whole", "bitfit": "whole", "lora": "merged", "ia3": "merged", "adapter": "trainable",
          "prompt": "peft_adapter"}
LABELS = ["neg", "pos", "mixed"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A tiny random RoBERTa masked LM with a word-level tokenizer, saved as a transformers folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForMaskedLM

    folder = tmp_path_factory.mktemp("base")
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=60, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=40, hidden_dropout_prob=0.0,
                           attention_probs_dropout_prob=0.0)
    RobertaForMaskedLM(config).save_pretrained(folder)  # as the converted checkpoint: no head
    words = Tokenizer(models.WordLevel({f"w{i}": i for i in range(60)}, unk_token="w3"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=words, pad_token="w1", unk_token="w3").save_pretrained(folder)
    return folder


def trained(base, spec, folder):
    """The method applied to the base and "trained" (its trainable weights moved at random), its
    best-valid weights kept as BestValidWeights keeps them."""
    from ftlib.export.trained import labelled_base

    torch.manual_seed(1)
    model = peft_methods.apply_method(labelled_base(base, LABELS), spec)
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(0.1 * torch.randn_like(p))
    weights = {name: p.detach().clone() for name, p in model.named_parameters() if p.requires_grad}
    torch.save({"epoch": 2, "valid_accuracy": 70.0, "weights": weights}, folder / "best_valid.pt")
    return model.eval()


def logits(model, ids):
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits


@pytest.mark.parametrize("name", [n for n, s in METHODS.items() if s["kind"] != "none"])
def test_each_method_exports_the_runs_model_in_its_format(base, name, tmp_path):
    spec = METHODS[name]
    ids = torch.tensor([[0, 5, 9, 12, 2], [0, 7, 7, 30, 2]])
    expected = logits(trained(base, spec, tmp_path), ids)
    torch.manual_seed(2)  # other random initial values: all of them must be replaced
    model, fmt, best = rebuild(base, spec, LABELS, tmp_path / "best_valid.pt")
    assert fmt == FORMAT[spec["kind"]] and best["epoch"] == 2
    assert torch.allclose(logits(model, ids), expected, atol=1e-6)
    from transformers import AutoTokenizer

    out = tmp_path / "export"
    save_export(model, fmt, AutoTokenizer.from_pretrained(base), out)
    (out / "export.json").write_text(json.dumps({"format": fmt, "base_model": str(base), "spec": spec,
                                                 "labels": LABELS}))
    loaded, tokenizer, _ = load_any(out)
    assert torch.allclose(logits(loaded, ids), expected, atol=1e-5)
    assert tokenizer("w5 w9").input_ids == [5, 9]
    if fmt in ("whole", "merged"):  # transformers alone loads it, labels named
        from transformers import AutoModelForSequenceClassification

        plain = AutoModelForSequenceClassification.from_pretrained(out).eval()
        assert plain.config.id2label == dict(enumerate(LABELS)) and not (out / "adapter_config.json").exists()
        assert torch.allclose(logits(plain, ids), expected, atol=1e-5)
    if fmt == "peft_adapter":
        assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == str(base)
    if fmt == "trainable":
        assert (out / TRAINABLE_FILE).is_file() and not (out / "config.json").exists()


def test_weights_that_do_not_fit_the_method_are_one_line(base, tmp_path):
    from ftlib.core.errors import InputError

    trained(base, METHODS["lora_q_r4"], tmp_path)
    with pytest.raises(InputError, match="best_valid.pt: does not fit the model"):
        rebuild(base, METHODS["adapter8"], LABELS, tmp_path / "best_valid.pt")
