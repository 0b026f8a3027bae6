"""The smallest patches fairseq 0.12 needs under this project's torch 2.13 and numpy 2.x.

1. torch >= 2.6 makes ``torch.load`` default to ``weights_only=True``; fairseq checkpoints
   store an ``argparse.Namespace`` (and omegaconf objects), which that safe loader rejects,
   so ``--restore-file model.pt`` fails with an UnpicklingError. fairseq's
   ``checkpoint_utils.load_checkpoint_to_cpu`` calls ``torch.load`` without the argument;
   the least invasive fix is the switch torch provides for exactly this case. The
   checkpoints loaded here are local files that this workflow built or the user placed,
   i.e. trusted. An explicit ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` from the user wins.
2. numpy 2.0 removed ``numpy.compat``; fairseq's TokenBlockDataset (masked_lm with
   ``--sample-break-mode eos``) and LanguagePairDataset still ask for ``np.compat.long``,
   which numpy 1.x defined as Python's ``int``. Restore that one name, nothing more.
"""
import os
import types

import numpy as np

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

if not hasattr(np, "compat"):
    np.compat = types.SimpleNamespace(long=int)
