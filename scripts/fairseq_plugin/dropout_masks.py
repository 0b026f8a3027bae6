"""The job's dropout masks in fairseq-train (config `dropout_masks`, resolved by ftlib.core.device).

fairseq's FairseqDropout calls ``torch.nn.functional.dropout`` and its attention calls torch's
``multi_head_attention_forward`` (scaled_dot_product_attention inside), the two functions
ftlib.core.stream_dropout replaces. The job passes its choice in the environment, since fairseq's
command line has no place for it; without the variable (fairseq-train run by hand) torch's masks stay.
"""
import os

from ftlib.core.device import MASKS_ENV

if os.environ.get(MASKS_ENV, "torch") != "torch":
    from ftlib.core.stream_dropout import install

    install(os.environ[MASKS_ENV])
