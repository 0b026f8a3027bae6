"""PEFT methods: exact published parameter counts (meta device), and that each method trains
exactly the tensors it should, on a tiny random RoBERTa classifier."""

import pytest
import yaml

from conftest import REPO
from ftlib.accounting import peft as peft_accounting
from ftlib import peft as peft_methods
from ftlib.accounting.meta import parameter_counts
from ftlib.peft.reference import PEFT_T5_PROMPT, PUBLISHED_COUNTS

import torch  # noqa: E402  (after ftlib.peft.methods, which hides the broken torchaudio)

PEFT_CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())["peft"]
ARCHS = PEFT_CONFIG["architectures"]
METHODS = PEFT_CONFIG["methods"]


@pytest.mark.parametrize("arch,spec,published,what", PUBLISHED_COUNTS + [PEFT_T5_PROMPT],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_published_counts_exact_counted_and_by_formula(arch, spec, published, what):
    row = peft_accounting.account(arch, ARCHS[arch], spec)  # raises if counted != formula
    assert row[f"counted_{what}"] == row[f"formula_{what}"] == published


def test_bert_lora_counts_are_the_published_closed_form():
    for r, published in ((1, 19_970), (4, 75_266), (16, 296_450)):
        assert 12 * 2 * 768 * r + 1_538 == published
    assert 24 * 16 * (1024 + 3072) == 1_572_864 and 12 * (2 * 512 * 8 + 512 + 8) == 104_544


LORA_TARGETS = {"bert-base-uncased": ["query", "value"], "roberta-base": ["query"], "t5-small": ["q", "v"],
                "bloom-560m": ["query_key_value"]}


@pytest.mark.parametrize("bias", ["none", "lora_only", "all"])
@pytest.mark.parametrize("arch", sorted(LORA_TARGETS))
def test_lora_bias_settings_are_counted_by_the_formula(arch, bias):
    spec = {"kind": "lora", "r": 2, "alpha": 8, "target_modules": LORA_TARGETS[arch], "bias": bias}
    row = peft_accounting.account(arch, ARCHS[arch], spec)  # raises if counted != formula
    plain = peft_accounting.account(arch, ARCHS[arch], dict(spec, bias="none"))
    extra = row["counted_trainable"] - plain["counted_trainable"]
    assert row["counted_added"] == plain["counted_added"]  # biases train; nothing is added
    if bias == "none" or arch == "t5-small":  # T5 has no bias terms
        assert extra == 0
    elif bias == "lora_only":
        D = ARCHS[arch]["hidden_size"]
        assert extra == {"bert-base-uncased": 12 * 2 * D, "roberta-base": 12 * D, "bloom-560m": 24 * 3 * D}[arch]
    else:
        assert extra > 0


def test_roberta_small_table_counted_equals_formula():
    rows = {name: peft_accounting.account("roberta_small", ARCHS["roberta_small"], spec, name)
            for name, spec in METHODS.items()}
    # the HF model: fairseq's 22,829,056-parameter encoder + one token-type row + the head
    head = 512 * 512 + 512 + 2 * 512 + 2
    assert rows["full"]["counted_total"] == 22_829_056 + 512 + head == 23_093_250
    assert rows["lora_q_r1"]["counted_trainable"] == 4 * 1 * (512 + 512) + head
    assert rows["lora_qv_r8"]["counted_added"] == 2 * 4 * 8 * 1024
    assert rows["adapter8"]["counted_added"] == 8 * (2 * 512 * 8 + 512 + 8)
    assert rows["prompt10"]["counted_added"] == 10 * 512
    assert rows["ia3"]["counted_added"] == 4 * (512 + 512 + 512)
    assert rows["bitfit"]["counted_trainable"] == 4 * (7 * 512 + 512) + 512 + head


# ---- gradients on a tiny random model --------------------------------------------------------

def tiny_classifier():
    from transformers import RobertaConfig, RobertaForSequenceClassification

    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=60, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=24, max_position_embeddings=40, type_vocab_size=1,
                           num_labels=2, pad_token_id=1,
                           initializer_range=0.5)  # large weights: gradients reach every tensor
    return RobertaForSequenceClassification(config)


def plain(name: str) -> str:
    """A parameter's name in the unwrapped model (peft prefixes it and copies the head)."""
    name = name.removeprefix("base_model.model.").removeprefix("base_model.")  # tuners / prompt learning
    return name.replace(".modules_to_save.default", "")


def expected_trainable(method: str, base_names: list[str]) -> set[str]:
    """Written out per method, independently of ftlib.peft.methods."""
    head = {n for n in base_names if n.startswith("classifier.")}
    layers = range(2)
    if method == "full":
        return set(base_names)
    if method == "bitfit":
        return {n for n in base_names if n.endswith(".bias")} | head
    if method.startswith("lora"):
        targets = ["query", "value"] if method.startswith("lora_qv") else ["query"]
        return head | {f"roberta.encoder.layer.{i}.attention.self.{t}.lora_{ab}.default.weight"
                       for i in layers for t in targets for ab in "AB"}
    if method == "adapter8":
        return head | {f"roberta.encoder.layer.{i}.{block}.dense.adapter.{p}.{w}" for i in layers
                       for block in ("attention.output", "output") for p in ("down", "up") for w in ("weight", "bias")}
    if method == "prompt10":
        return head | {"prompt_encoder.default.embedding.weight"}
    if method == "ia3":
        return head | {f"roberta.encoder.layer.{i}.{m}.ia3_l.default" for i in layers
                       for m in ("attention.self.key", "attention.self.value", "output.dense")}
    raise AssertionError(method)


@pytest.mark.parametrize("method", list(METHODS))
def test_exactly_the_intended_tensors_train(method):
    model = tiny_classifier()
    base_names = [n for n, _ in model.named_parameters()]
    model = peft_methods.apply_method(model, METHODS[method])
    trainable = {plain(n) for n in peft_methods.trainable_names(model)}
    assert trainable == expected_trainable(method, base_names)

    # Two SGD steps over ALL parameters (LoRA's B and the adapters' up-projection start at zero,
    # so A and the down-projection move from the second step): exactly the trainable ones move.
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    ids = torch.tensor([[0, 5, 9, 13, 7, 2], [0, 8, 4, 2, 1, 1]])
    batch = {"input_ids": ids, "attention_mask": (ids != 1).long(), "labels": torch.tensor([0, 1])}
    for _ in range(2):
        optimizer.zero_grad()
        model(**batch).loss.backward()
        optimizer.step()
    moved = {n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])}
    assert moved == set(peft_methods.trainable_names(model))
    # no weight gradient is computed for a frozen weight (issue 24: the PEFT jobs' backward pays
    # only for the input gradients below the trained tensors, and for those tensors' own)
    assert {n for n, p in model.named_parameters() if p.grad is not None} == moved

    counts = parameter_counts(model)
    shape = peft_accounting.arch_from_hf_config(tiny_classifier().config)
    closed = peft_accounting.formula(shape, METHODS[method])
    assert (counts["trainable"], counts["total"]) == (closed["trainable"], closed["total"])


def test_unknown_method_kind_is_refused():
    with pytest.raises(ValueError, match="unknown PEFT method kind"):
        peft_methods.apply_method(tiny_classifier(), {"kind": "dora"})


def test_prompt_tuning_leaves_room_in_the_position_table():
    assert peft_methods.max_positions_for(METHODS["prompt10"], 256) == 246
    assert peft_methods.max_positions_for(METHODS["lora_q_r4"], 256) == 256
