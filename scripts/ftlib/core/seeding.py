"""One seeding function for every training script (fairseq seeds itself from its --seed flag)."""
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (torch.manual_seed seeds every CUDA device
    too), as transformers' set_seed does. Call it before building a model: random initial weights
    and new heads are drawn from these generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
