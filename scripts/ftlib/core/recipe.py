"""The fine-tuning recipe: one typed object, built once from config (finetune.<mode>, with the
PEFT method's overrides on top), used by the fairseq, HF and PEFT branches and the benchmark.

fairseq's RoBERTa GLUE recipe; the HF branch follows it step for step (ftlib.hf.train). Values
keep the type the config gave them (0.01 stays 0.01, 0 stays 0): they are written into fairseq
command lines as they are.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

# The speed levers (measured by `snakemake bench`) and their stock values: fairseq's own flags,
# the lab's recipe. The levers change how fast a seed runs, not what it computes.
STOCK_LEVERS = {"optimizer": "adam", "batching": "shuffled", "test_eval": "every_epoch"}
CHOICES = {
    "optimizer": ("adam", "adamw_fused"),
    "batching": ("shuffled", "length_grouped"),
    "test_eval": ("every_epoch", "best_checkpoint"),
}


def schedule(n_train: int, batch_size: int, max_epoch: int, warmup_ratio: float) -> tuple[int, int]:
    """(total updates, warmup updates) of polynomial_decay, computed from the data.

    fairseq makes ceil(n / batch_size) batches per epoch when only --batch-size bounds them.
    The lab's 2000 reviews, batch 8, 5 epochs give 1250 updates and 75 warmup updates.
    """
    if n_train < 1 or batch_size < 1 or max_epoch < 1:
        raise ValueError(f"schedule needs positive sizes, got n={n_train} batch={batch_size} epochs={max_epoch}")
    total = math.ceil(n_train / batch_size) * max_epoch
    return total, round(warmup_ratio * total)


class RecipeError(ValueError):
    """A recipe value out of range; the message names the key."""


def _help(text: str, **kwargs):
    return field(metadata={"help": text}, **kwargs)


@dataclass(frozen=True)
class Recipe:
    arch: str = _help("fairseq architecture (roberta_small: the checkpoint's shape; roberta_demo)")
    num_classes: int = _help("labels of the classification head")
    init_token: int = _help("id prepended to every review (<s>)")
    separator_token: int = _help("id of </s>")
    max_positions: int = _help("reviews truncated to this many ids (the position table's size)")
    batch_size: int = _help("reviews per update")
    lr: float = _help("peak learning rate of the polynomial decay")
    max_epoch: int = _help("epochs; the reported number is test accuracy at the best-valid epoch")
    warmup_ratio: float = _help("share of the total updates spent warming up, computed from the data")
    adam_betas: tuple = _help("Adam's (beta1, beta2)")
    adam_eps: float = _help("Adam's epsilon")
    weight_decay: float = _help("decoupled weight decay on every parameter, as fairseq's adam")
    clip_norm: float = _help("gradient-norm clipping; 0 = none")
    dropout: float = _help("dropout of the encoder and head")
    attention_dropout: float = _help("dropout of the attention probabilities")
    optimizer: str = _help("adam (stock) or the same update in torch's fused AdamW kernel",
                           default=STOCK_LEVERS["optimizer"])
    batching: str = _help("shuffled (stock: random lengths) or length_grouped batches",
                          default=STOCK_LEVERS["batching"])
    test_eval: str = _help("test after every epoch (stock) or once, on the best-valid checkpoint",
                           default=STOCK_LEVERS["test_eval"])
    log_interval: int = _help("updates between two logged training lines", default=10)

    def __post_init__(self):
        for name in ("num_classes", "max_positions", "batch_size", "max_epoch", "log_interval"):
            if getattr(self, name) < (2 if name == "num_classes" else 1):
                raise RecipeError(f"{name}: {getattr(self, name)} is too small")
        for name in ("lr", "adam_eps"):
            if not getattr(self, name) > 0:
                raise RecipeError(f"{name}: must be > 0, got {getattr(self, name)}")
        for name in ("weight_decay", "clip_norm"):
            if getattr(self, name) < 0:
                raise RecipeError(f"{name}: must be >= 0, got {getattr(self, name)}")
        for name in ("warmup_ratio", "dropout", "attention_dropout"):
            if not 0 <= getattr(self, name) < 1:
                raise RecipeError(f"{name}: must be in [0, 1), got {getattr(self, name)}")
        if len(self.adam_betas) != 2 or not all(0 <= b < 1 for b in self.adam_betas):
            raise RecipeError(f"adam_betas: two values in [0, 1) expected, got {list(self.adam_betas)}")
        if self.init_token == self.separator_token:
            raise RecipeError(f"init_token and separator_token are both {self.init_token}")
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise RecipeError(f"{name}: {getattr(self, name)!r} is not one of {', '.join(allowed)}")

    @classmethod
    def from_config(cls, values: dict, **overrides) -> "Recipe":
        """The recipe of a config block (plus overrides, e.g. a PEFT method's); unknown keys refused."""
        merged = {**values, **overrides}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(merged) - known)
        if unknown:
            raise RecipeError(f"unknown recipe key(s): {', '.join(unknown)}")
        missing = sorted(f.name for f in dataclasses.fields(cls)
                         if f.name not in merged and f.default is dataclasses.MISSING)
        if missing:
            raise RecipeError(f"missing recipe key(s): {', '.join(missing)}")
        merged["adam_betas"] = tuple(merged["adam_betas"])
        return cls(**merged)

    def replace(self, **changes) -> "Recipe":
        return dataclasses.replace(self, **changes)

    def stock(self) -> "Recipe":
        """The same recipe with the speed levers undone: the tuned-vs-stock comparison's baseline."""
        return self.replace(**STOCK_LEVERS)

    def schedule(self, n_train: int) -> tuple[int, int]:
        """(total updates, warmup updates) of this recipe on ``n_train`` examples."""
        return schedule(n_train, self.batch_size, self.max_epoch, self.warmup_ratio)

    @property
    def tests_once(self) -> bool:
        """test_eval best_checkpoint: test evaluated once, on checkpoint_best.pt, after training
        (stock, every_epoch: fairseq-train evaluates test beside valid after every epoch)."""
        return self.test_eval == "best_checkpoint"

    @property
    def test_passes(self) -> int:
        """Evaluations of test in one run: once, or after every epoch."""
        return 1 if self.tests_once else self.max_epoch

    @classmethod
    def help(cls) -> dict:
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}
