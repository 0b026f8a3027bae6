"""Models of the BLOOM branch: the demo's tiny Bloom (tokenizer and causal-LM pretraining),
loading a base in 4-bit NF4 where bitsandbytes allows it, and the LoRA configuration."""
from __future__ import annotations

import math
import time


from ftlib.core import transformers_guard  # noqa: F401,E402  (first: hides the unloadable torchaudio from transformers)

import torch  # noqa: E402

from ftlib.core.seeding import seed_everything  # noqa: E402

SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>"]  # BLOOM's ids 0..3


def train_tokenizer(lines: list[str], vocab_size: int):
    """A byte-level BPE (BLOOM's kind of tokenizer) trained on the demo's French text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(lines, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>",
                                   eos_token="</s>", pad_token="<pad>")


def document_stream(tokenizer, documents: list[str]) -> list[int]:
    """The pretraining token stream: the documents one after the other, EOS after each document
    and nowhere else (as in a real LM's data), so that the base model learns to run on across
    sentences and lines, and stops only where a whole document would end."""
    ids = []
    for doc in tokenizer(documents, add_special_tokens=False)["input_ids"]:
        ids += doc + [tokenizer.eos_token_id]
    return ids


def tiny_bloom_config(tokenizer, shape: dict):
    from transformers import BloomConfig

    return BloomConfig(vocab_size=len(tokenizer), hidden_size=shape["hidden_size"],
                       n_layer=shape["n_layer"], n_head=shape["n_head"],
                       bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                       pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)


def pretrain_causal_lm(model, token_ids: list[int], hp: dict, log=print) -> list[dict]:
    """Plain causal-LM pretraining on one token stream cut into blocks (random blocks per step,
    AdamW, linear warmup then cosine decay). Returns the loss per logged step."""
    seed_everything(hp["seed"])
    block, batch, steps = hp["block_size"], hp["batch_size"], hp["steps"]
    data = torch.tensor(token_ids, dtype=torch.long)
    if len(data) <= block + 1:
        raise ValueError(f"pretraining text has {len(data)} tokens, fewer than one block of {block}")
    opt = torch.optim.AdamW(model.parameters(), lr=hp["lr"], weight_decay=0.01)
    warmup = hp["warmup_steps"]
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warmup if s < warmup else
                                              0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, steps - warmup))))
    model.train()
    history, start = [], time.time()
    for step in range(1, steps + 1):
        starts = torch.randint(0, len(data) - block - 1, (batch,))
        x = torch.stack([data[s:s + block] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % hp["log_every"] == 0 or step == steps:
            history.append({"step": step, "loss": loss.item()})
            log(f"pretrain step {step}/{steps} loss {loss.item():.3f} ({time.time() - start:.0f} s)")
    model.eval()
    return history


def on_gpu(cuda: bool | None) -> bool:
    """Where the BLOOM helpers work: the job's placement when it says (cuda given), else on the
    GPU when torch sees one."""
    return torch.cuda.is_available() if cuda is None else cuda


def four_bit_support(cuda: bool | None = None) -> tuple[bool, str]:
    """Whether this machine can load a base in 4-bit NF4, and why not (one phrase) otherwise.

    bitsandbytes is imported lazily: its absence must leave the unquantized path working."""
    try:
        import bitsandbytes as bnb
        import bitsandbytes.functional as F
    except Exception as err:  # not installed, or a build that does not load here
        return False, f"bitsandbytes is not usable here ({type(err).__name__}: {err})".splitlines()[0]
    device = "cuda" if on_gpu(cuda) else "cpu"
    try:  # older releases have no CPU 4-bit kernels: try one tiny quantization
        F.quantize_4bit(torch.ones(64, 64, device=device, dtype=torch.float32), quant_type="nf4")
    except Exception as err:
        return False, f"bitsandbytes {bnb.__version__} cannot quantize to 4 bits on {device} ({err})".splitlines()[0]
    return True, f"bitsandbytes {bnb.__version__} on {device}"


def native_bf16_cpu() -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware (AVX512-BF16 or AMX tiles)."""
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # torch.cpu, private but stable
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def compute_dtype(q: dict, cuda: bool | None = None) -> tuple[str, str]:
    """The dtype the 4-bit weights are dequantized to and multiplied in, and why (one phrase).

    `auto`: bf16 (the QLoRA recipe's) where the hardware multiplies it, else fp32. Without
    AVX512-BF16 or AMX, torch emulates bf16 matrix products on the CPU: measured 8x slower than
    fp32 on a 2-core AVX2 EPYC, which made a real-size micro-step 160 s instead of about 5."""
    if q["compute_dtype"] != "auto":
        return q["compute_dtype"], "set in config"
    if on_gpu(cuda):
        if torch.cuda.is_bf16_supported(including_emulation=False):  # T4, V100 only emulate it
            return "bfloat16", "auto: the GPU multiplies bf16"
        return "float16", "auto: the GPU has no bf16"
    if native_bf16_cpu():
        return "bfloat16", "auto: this CPU multiplies bf16 (AVX512-BF16 or AMX)"
    return "float32", (f"auto: this CPU ({torch.backends.cpu.get_cpu_capability()}) has no bf16 matrix "
                       "product (AVX512-BF16 or AMX) and emulates it, 8x slower than fp32")


def bnb_config(q: dict, cuda: bool | None = None):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=q["quant_type"],
                              bnb_4bit_use_double_quant=q["double_quant"],
                              bnb_4bit_compute_dtype=getattr(torch, compute_dtype(q, cuda)[0]))


def keep_4bit_layout_trainable(model) -> None:
    """bitsandbytes 0.50 repacks a Linear4bit's weight for its AVX512-BF16 inference kernel the
    first time it runs in eval mode on such a CPU; that kernel has no backward (training after an
    evaluation then fails: "a view of a leaf Variable ... in-place"). We evaluate between training
    steps, so keep the trainable layout."""
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False


def load_base(source: str, quantize: bool, q: dict, cuda: bool | None = None):
    """The causal LM from a local folder or the hub, in 4-bit NF4 when `quantize`; on the GPU when
    `cuda` (None: when torch sees one)."""
    from transformers import AutoModelForCausalLM

    if quantize:
        device_map = {"": 0} if on_gpu(cuda) else "cpu"
        model = AutoModelForCausalLM.from_pretrained(source, quantization_config=bnb_config(q, cuda),
                                                     device_map=device_map)
        keep_4bit_layout_trainable(model)
        return model
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    return model.to("cuda") if on_gpu(cuda) else model


def prepare_for_lora(model, quantize: bool, recompute: bool):
    """The base made ready for LoRA training, as the job and the benchmark make it: k-bit
    preparation when quantized; its activations recomputed in the backward pass when
    ``recompute`` (ftlib/bloom/memory.py decides)."""
    from peft import prepare_model_for_kbit_training

    # non-reentrant checkpointing: the reentrant kind's recomputation trips over
    # bitsandbytes' in-place bias add on CPU ("a view of a leaf Variable ... in-place")
    kwargs = {"use_reentrant": False}
    if quantize:
        return prepare_model_for_kbit_training(model, use_gradient_checkpointing=recompute,
                                               gradient_checkpointing_kwargs=kwargs)
    if recompute:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
        model.enable_input_require_grads()
    return model
