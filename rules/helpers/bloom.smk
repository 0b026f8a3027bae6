# The BLOOM branch's helpers and paths (rules/bloom.smk): keyed by mode, not task (the FAQ is not a classification task): functions only (rule files hold rules, `snakemake --lint`).


# The real FAQ of the BLOOM branch, downloaded (or placed there by hand).
REAL_BLOOM_FAQ = "data/real/bloom/ecommerce-faq-fr.json"


def bloom_faq_split(split, mode="{mode}"):
    """The FAQ's training or held-out pairs (jsonl) of the BLOOM branch."""
    return f"data/{mode}/bloom/{split}.jsonl"


# The demo's tiny Bloom, pretrained by the workflow.
BLOOM_DEMO_BASE = "models/demo/bloom_base"


REAL_BLOOM_BASE = "models/real/bloom_base"

# The fine-tuning job's memory by mode (first attempt): what gradient_checkpointing auto weighs the
# activations against (ftlib/bloom/memory.py), in the job and in the benchmark's model of it.
BLOOM_MEM_MB = {"demo": 4000, "real": 16000}


def bloom_cfg(wildcards):
    """The BLOOM branch's settings for this mode (config["bloom"]["demo"|"real"])."""
    return config["bloom"][wildcards.mode]


def bloom_faq_source(wildcards):
    """The demo's FAQ ships with the repository; the real one is downloaded (or placed by hand)."""
    if wildcards.mode == "demo":
        return repo_path(config["bloom"]["demo"]["faq"])
    return REAL_BLOOM_FAQ


def bloom_base_source(wildcards):
    """The folder the BLOOM job loads its base from: the demo's, built by the workflow; the real
    one fetched from the hub by a local rule (fetch_bloom_base) before the GPU job, unless
    bloom.real.base_model already names a local folder."""
    if wildcards.mode == "demo":
        return BLOOM_DEMO_BASE
    base = config["bloom"]["real"]["base_model"]
    return base if Path(base).is_dir() else REAL_BLOOM_BASE


def bloom_base_input(wildcards):
    source = bloom_base_source(wildcards)
    return {"base": source} if source in (BLOOM_DEMO_BASE, REAL_BLOOM_BASE) else {}


def bloom_report(mode):
    """The BLOOM branch is not a classification task: it runs once per mode of the run's tasks."""
    return f"reports/{mode}/bloom_report.md"
