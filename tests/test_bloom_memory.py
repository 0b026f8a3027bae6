"""gradient_checkpointing auto (ftlib/bloom/memory.py): the activation estimate against its formula
worked by hand, and the decision on the real and demo shapes."""
from types import SimpleNamespace

import pytest

from ftlib.bloom.memory import MARGIN_MB, activation_mb, use_checkpointing

BLOOM_560M = SimpleNamespace(hidden_size=1024, n_head=16, n_layer=24, vocab_size=250880)


def test_activations_by_hand():
    # 1 layer, h 4, 2 heads, V 10, 8 tokens, batch 1, fp32: 8·4·(34 + 5·2·8/4) = 1728 bytes at 2
    # bytes, 3456 at 4; logits and their gradient 2·8·10·4 = 640 bytes
    tiny = SimpleNamespace(hidden_size=4, n_head=2, n_layer=1, vocab_size=10)
    assert activation_mb(tiny, 8, 1) == pytest.approx((3456 + 640) / 2**20)
    assert activation_mb(tiny, 8, 2) == pytest.approx(2 * (3456 + 640) / 2**20)


def test_bloom_560m_at_512_tokens_fits_its_16_gb_job_but_not_a_4_gb_one():
    need = activation_mb(BLOOM_560M, 512, 1)
    assert 2500 < need < 3000  # 24 layers x 77.6 MB, and 1 GB of logits
    assert use_checkpointing("auto", BLOOM_560M, 512, 1, 16000, 2000)[0] is False
    on, why = use_checkpointing("auto", BLOOM_560M, 512, 1, 4000, 2000)
    assert on and why.startswith("auto: the activations (~2756 MB at 512 tokens) exceed")
    # the margin counts: just enough room without it is not enough
    assert use_checkpointing("auto", BLOOM_560M, 512, 1, 2000 + need + MARGIN_MB / 2, 2000)[0] is True


def test_a_setting_in_config_is_obeyed_whatever_the_memory():
    assert use_checkpointing(True, BLOOM_560M, 512, 1, 10**6, 0) == (True, "set in config")
    assert use_checkpointing(False, BLOOM_560M, 512, 1, 1, 0) == (False, "set in config")
