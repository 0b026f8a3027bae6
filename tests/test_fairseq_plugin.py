"""The --user-dir plugin: architectures registered as fairseq sees them, patches, parameter counts."""
import os

import numpy as np

from ftlib.accounting.fairseq_encoder import (EncoderShape, arch_args, count_encoder, encoder_formula,
                               encoder_weights_only, roberta_small_formula)


def test_roberta_small_is_registered_with_the_checkpoint_shape():
    args = arch_args("roberta_small")
    assert (args.encoder_layers, args.encoder_embed_dim, args.encoder_ffn_embed_dim,
            args.encoder_attention_heads, args.max_positions) == (4, 512, 512, 8, 256)
    # inherited from fairseq's roberta base architecture, not redefined
    assert args.layernorm_embedding is True and args.encoder_normalize_before is False
    assert args.activation_fn == "gelu"


def test_arch_values_given_on_the_command_line_win():
    from fairseq.models import ARCH_CONFIG_REGISTRY
    import argparse

    args = argparse.Namespace(encoder_layers=6)
    ARCH_CONFIG_REGISTRY["roberta_small"](args)
    assert args.encoder_layers == 6 and args.encoder_embed_dim == 512


def test_roberta_small_encoder_count_matches_the_published_formula():
    counted = count_encoder("roberta_small", vocab=32000, positions=256)
    assert counted["total"] == 22_829_056 == roberta_small_formula(512, 32000, 256)
    assert counted["weights_only"] == 22_807_552
    assert counted["embed_tokens"] == 16_384_000 and counted["embed_positions"] == 132_096


def test_general_formula_matches_a_built_encoder_of_another_shape():
    shape = EncoderShape.from_arch("roberta_demo", vocab=301, positions=64)
    counted = count_encoder("roberta_demo", vocab=301, positions=64)
    assert counted["total"] == encoder_formula(shape)
    assert counted["weights_only"] == encoder_weights_only(shape)


def test_compat_patches_are_applied_by_the_plugin():
    import fairseq_plugin  # noqa: F401

    assert os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    assert np.compat.long is int
    assert np.zeros(2, dtype=np.compat.long).dtype == np.int64
