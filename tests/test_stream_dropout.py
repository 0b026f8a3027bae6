"""Dropout masks from the stream (config `dropout_masks`, ftlib.core.stream_dropout): the masks'
law and seeding, the gradient, the attention's dropout, where `auto` takes them, and that every
kind of job (fairseq-train through its plugin, a Trainer, the benchmark's timing processes) draws them."""
import os
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from ftlib.core import stream_dropout
from ftlib.core.device import MASKS_ENV, DeviceError, cpu_masks, resolve
from ftlib.core.proc import run_logged


@pytest.fixture(autouse=True)
def torch_masks_after():
    yield
    stream_dropout.install("torch", log=None)


def drawn(seed: int, shape=(64, 1000), p: float = 0.1) -> torch.Tensor:
    torch.manual_seed(seed)
    return stream_dropout.dropout(torch.ones(shape), p)


def test_the_seed_decides_every_mask():
    assert torch.equal(drawn(0), drawn(0))
    assert not torch.equal(drawn(0), drawn(1))
    torch.manual_seed(0)
    first, second = (stream_dropout.dropout(torch.ones(64, 1000), 0.1) for _ in range(2))
    assert not torch.equal(first, second)  # each call draws a new seed from torch's generator


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_the_kept_share_is_one_minus_p_and_kept_values_are_scaled(p):
    out = drawn(3, (1000, 1000), p)
    kept = int((out != 0).sum())
    assert torch.unique(out).tolist() == [0.0, pytest.approx(1 / (1 - p))]
    assert stats.binomtest(kept, out.numel(), 1 - p).pvalue > 0.01, kept
    # neighbours (the two halves of one 64-bit word) are independent: a 2 x 2 table's test
    flat = (out != 0).flatten().numpy()
    table = [[int(((flat[0::2] == a) & (flat[1::2] == b)).sum()) for b in (False, True)] for a in (False, True)]
    assert stats.chi2_contingency(table).pvalue > 0.01, table


def test_the_gradient_is_the_mask_and_inplace_gives_the_same_values():
    x = torch.randn(32, 512, requires_grad=True)
    torch.manual_seed(5)
    y = stream_dropout.dropout(x, 0.2)
    y.sum().backward()
    assert torch.equal(x.grad, (y != 0).float() * (1 / 0.8))
    torch.manual_seed(5)
    copy = x.detach().clone()
    assert torch.equal(stream_dropout.dropout(copy, 0.2, inplace=True), y.detach())
    assert torch.equal(copy, y.detach())


def test_evaluation_and_p_zero_leave_the_input_alone():
    x = torch.randn(8, 8)
    assert torch.equal(stream_dropout.dropout(x, 0.3, training=False), x)
    assert torch.equal(stream_dropout.dropout(x, 0.0), x)


def attention_inputs(mask_dtype):
    torch.manual_seed(11)
    q, k, v = (torch.randn(2, 4, 6, 8) for _ in range(3))
    keep = torch.ones(2, 1, 6, 6, dtype=torch.bool)
    keep[0, :, :, 4:] = False  # the first example's last two keys are padding
    mask = keep if mask_dtype == "bool" else torch.zeros(keep.shape).masked_fill(~keep, float("-inf"))
    return q, k, v, (None if mask_dtype == "none" else mask)


@pytest.mark.parametrize("mask_dtype", ["none", "bool", "float"])
def test_attention_is_torchs_and_its_dropout_falls_on_the_probabilities(mask_dtype):
    q, k, v, mask = attention_inputs(mask_dtype)
    reference = F.scaled_dot_product_attention(q, k, v, mask)
    # a dropout so small that no element is dropped: torch's attention, to float rounding
    nothing_dropped = stream_dropout.scaled_dot_product_attention(q, k, v, mask, dropout_p=1e-12)
    torch.testing.assert_close(nothing_dropped, reference, atol=1e-5, rtol=1e-5)
    torch.manual_seed(2)
    out = stream_dropout.scaled_dot_product_attention(q, k, v, mask, dropout_p=0.3)
    torch.manual_seed(2)
    scores = q @ k.transpose(-2, -1) / 8**0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    expected = (scores.softmax(-1) * stream_dropout.keep_scale(scores.shape, 0.3, scores.dtype)) @ v
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


def test_installed_masks_reach_nn_dropout_and_torchs_multihead_attention(monkeypatch):
    drawn_shapes = []
    keep_scale = stream_dropout.keep_scale
    monkeypatch.setattr(stream_dropout, "keep_scale", lambda shape, *a: drawn_shapes.append(tuple(shape))
                        or keep_scale(shape, *a))
    stream_dropout.install("stream", log=None)
    torch.manual_seed(0)
    layer = torch.nn.Dropout(0.1).train()
    x = torch.ones(4, 100)
    assert torch.equal(layer(x), drawn(0, (4, 100)))
    attention = torch.nn.MultiheadAttention(16, 2, dropout=0.5).train()  # what fairseq's attention calls
    drawn_shapes.clear()
    attention(*(torch.randn(5, 3, 16),) * 3, need_weights=False)
    assert drawn_shapes == [(3, 2, 5, 5)]  # the attention probabilities' mask, from the stream
    stream_dropout.install("torch", log=None)
    drawn_shapes.clear()
    layer(x)
    assert drawn_shapes == []


@pytest.mark.parametrize("setting, vendor, expected", [
    ("auto", "GenuineIntel", "torch"), ("auto", "AuthenticAMD", "stream"), ("auto", "", "stream"),
    ("torch", "AuthenticAMD", "torch"), ("stream", "GenuineIntel", "stream")])
def test_auto_keeps_torchs_masks_on_intel_only(setting, vendor, expected):
    assert cpu_masks(setting, vendor) == expected
    placement = resolve("cpu", "fp32", setting, cuda_available=False, vendor=vendor)
    assert placement.dropout_masks == expected and placement.record()["dropout_masks"] == expected
    assert placement.env() == {MASKS_ENV: expected}
    assert resolve("auto", "fp32", setting, cuda_available=True).dropout_masks == "torch"  # a GPU draws its own


def test_an_unknown_setting_is_refused_in_one_line():
    with pytest.raises(DeviceError, match=r"^config/config.yaml: dropout_masks: 'fast' is not one of auto, torch, "
                                          r"stream$"):
        resolve("cpu", "fp32", "fast", cuda_available=False)


PLUGIN_PROBE = ("import sys, torch.nn.functional as F; sys.argv = ['fairseq-train']; "
                "import fairseq_plugin; print(F.dropout.__module__)")


@pytest.mark.parametrize("source", ["stream", "torch"])
def test_fairseq_plugin_installs_the_jobs_masks_and_the_log_says_so(tmp_path, source):
    """run_logged passes the placement's variable to the command and writes it before the command
    line; fairseq's --user-dir plugin reads it (fairseq-train imports the plugin as here)."""
    log = tmp_path / "job.log"
    scripts = os.path.join(os.path.dirname(stream_dropout.__file__), "..", "..")
    run_logged([sys.executable, "-c", f"import sys; sys.path.insert(0, {scripts!r}); {PLUGIN_PROBE}"], log, echo=False,
               env={MASKS_ENV: source})
    text = log.read_text()
    assert text.startswith(f"$ {MASKS_ENV}={source} {sys.executable} -c ")
    module = "ftlib.core.stream_dropout" if source == "stream" else "torch.nn.functional"
    assert text.rstrip().endswith(module), text
    assert ("dropout masks: stream (a PCG64DXSM stream seeded by torch's generator)" in text) == (source == "stream")


def test_without_the_variable_fairseq_keeps_torchs_masks():
    env = {k: v for k, v in os.environ.items() if k != MASKS_ENV}
    scripts = os.path.join(os.path.dirname(stream_dropout.__file__), "..", "..")
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {scripts!r}); {PLUGIN_PROBE}"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "torch.nn.functional"


def test_attention_without_dropout_is_torchs_own_call():
    q, k, v, mask = attention_inputs("bool")
    for kwargs in ({}, {"scale": 0.5}, {"is_causal": True}):
        theirs = F.scaled_dot_product_attention(q, k, v, None if kwargs.get("is_causal") else mask, **kwargs)
        ours = stream_dropout.scaled_dot_product_attention(q, k, v, None if kwargs.get("is_causal") else mask,
                                                           **kwargs)
        assert torch.equal(ours, theirs), kwargs


def test_causal_grouped_half_and_fully_masked_attention_match_torchs():
    """is_causal, grouped key/value heads, bf16 (computed in fp32, as torch's math path) and a query
    row whose keys are all masked (zeros, torch's safe softmax), each against torch's own call."""
    q, k, v, mask = attention_inputs("bool")
    grouped = {"key": k[:, :2], "value": v[:, :2]}  # 4 query heads over 2 key/value heads
    blocked = mask.clone()
    blocked[1, :, 3, :] = False  # one query row sees no key
    for args, kwargs in (((q, k, v), {"is_causal": True}), ((q, grouped["key"], grouped["value"], mask),
                                                            {"enable_gqa": True}),
                         ((q, k, v, blocked), {}), (tuple(t.bfloat16() for t in (q, k, v)) + (mask,), {})):
        reference = F.scaled_dot_product_attention(*args, **kwargs)
        ours = stream_dropout.scaled_dot_product_attention(*args, dropout_p=1e-12, **kwargs)
        assert ours.dtype == reference.dtype and not ours.isnan().any(), kwargs
        tolerance = 1e-2 if ours.dtype == torch.bfloat16 else 1e-5
        torch.testing.assert_close(ours, reference, atol=tolerance, rtol=tolerance)


def test_a_tensor_p_or_a_tensor_subclass_goes_to_torchs_dropout(monkeypatch):
    drawn_shapes = []
    monkeypatch.setattr(stream_dropout, "keep_scale", lambda shape, *a: drawn_shapes.append(shape))
    torch.manual_seed(0)
    expected = F.dropout(torch.ones(50), 0.5)
    torch.manual_seed(0)
    assert torch.equal(stream_dropout.dropout(torch.ones(50), torch.tensor(0.5)), expected)
    stream_dropout.dropout(torch.nn.Parameter(torch.ones(50)).as_subclass(Marked), 0.5)
    assert drawn_shapes == []


class Marked(torch.Tensor):
    """A tensor subclass: its __torch_function__ must see the dropout call."""
