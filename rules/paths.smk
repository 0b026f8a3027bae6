# Where each stage's files live: one function per kind of path (a wildcard pattern by default,
# a concrete path when given names), so that a layout change is made here once.

SPLITS = ["train", "valid", "test"]
CHECKPOINT_FILES = ["model.pt", "dict.txt", "sentencepiece.bpe.model"]


def raw_file(split, ext, task="{task}"):
    """A labelled split as every branch reads it: its reviews or labels, one per line."""
    return f"data/{task}/raw/{split}.{ext}"


def raw_split_files(task, pair=None):
    """The raw layout of a task: per split its texts (review, a pair's review2) and labels."""
    pair = is_pair(task) if pair is None else pair
    texts = ["review", "review2"] if pair else ["review"]
    return [raw_file(s, ext, task) for s in SPLITS for ext in (*texts, "label")]


def split_ids(task="{task}"):
    """Which source line each example of an imported task came from (valid carved from train)."""
    return f"data/{task}/split_ids.tsv"


def download_file(name="{download}"):
    """A downloaded file (rules/data.smk's download): a task's archive or split, the checkpoint's."""
    return f"data/downloads/{name}"


def prepared_file(split, ext, task="{task}"):
    """A checked split of prepare_split: its SentencePiece-encoded reviews (spm.review) or labels."""
    return f"data/{task}/prepared/{split}.{ext}"


def prepared_splits(splits, task="{task}"):
    """The checked, SentencePiece-encoded splits (reviews and labels) of prepare_split."""
    return [
        prepared_file(s, ext, task) for s in splits for ext in ("spm.review", "label")
    ]


def data_bin(task="{task}"):
    """The labelled splits binarized by fairseq-preprocess (input0/, label/)."""
    return f"data/{task}/bin"


def pretrained_file(name, mode="{mode}"):
    """A file of the mode's checkpoint folder: the checkpoint, its dictionary and SentencePiece
    model (CHECKPOINT_FILES), and the record of its check."""
    return f"models/{mode}/pretrained/{name}"


def checkpoint_files(mode):
    return [pretrained_file(name, mode) for name in CHECKPOINT_FILES]


def hf_model(task="{task}"):
    """The checkpoint converted to a transformers folder, its parity checked on the task's
    reviews: the HF and PEFT branches' model."""
    return f"models/{task}/hf_pretrained"


def jsonl_split(split, task="{task}"):
    """A labelled split as jsonl (run_glue's layout): the HF and PEFT branches' data."""
    return f"data/{task}/jsonl/{split}.jsonl"


def run_dir(task, init, seed, group="fairseq"):
    return f"runs/{task}/{group}/{init}/seed{seed}"


def group_table(group):
    """One group's runs table, what its report reads (rule gather_group_runs)."""
    return f"reports/{{task}}/runs/{group}.csv"
