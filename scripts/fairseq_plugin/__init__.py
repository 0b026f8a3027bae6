"""fairseq --user-dir plugin of this project.

fairseq imports this package when a command gets ``--user-dir scripts/fairseq_plugin``.
It only imports the modules that patch fairseq for this environment or register
architectures and optimizers, so that importing it has no other side effect.
"""
from . import compat  # noqa: F401  (first: patches what fairseq uses later)
from . import dropout_masks  # noqa: F401
from . import length_grouped  # noqa: F401
from . import optimizers  # noqa: F401
from . import roberta_archs  # noqa: F401
