"""The PEFT method kinds, one module each, and KINDS: the explicit list of them that
ftlib.peft.registry registers (as peft's ``tuners/__init__.py`` lists its tuners). A new kind is
one module here, its line below and its config entry.
"""
from ftlib.peft.methods.adapter import Adapter
from ftlib.peft.methods.bitfit import BitFit
from ftlib.peft.methods.full import Full
from ftlib.peft.methods.ia3 import IA3Method
from ftlib.peft.methods.lora import LoRA
from ftlib.peft.methods.none import NoMethod
from ftlib.peft.methods.prompt import Prompt

KINDS = (
    Adapter,
    BitFit,
    Full,
    IA3Method,
    LoRA,
    NoMethod,
    Prompt,
)
