# Two entry points: `make run` (the workflow; the offline demo unless the real inputs are in
# place) and `make test`. Both create .venv and install requirements.txt on first use.
VENV ?= .venv
PYTHON ?= python3
CORES ?= 4
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

INIT ?= pretrained
SEED ?= 0
TASK ?= demo
TEST_WORKERS ?= 2

.PHONY: setup run test lint clean rerun-seed readme-numbers config-docs predict
setup: $(VENV)/.installed

# The pins, then the project itself (ftlib, fairseq_plugin: pyproject.toml) editable, so every job
# imports this checkout's code.
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

run: setup
	snakemake --cores $(CORES) all

# Two workers (pytest-xdist): the first to need the shared demo run builds it (conftest.py).
test: setup
	pytest -n $(TEST_WORKERS) --dist worksteal -v -rs --durations=15 tests

# Redo one seed's fine-tuning and re-aggregate the report, nothing else.
rerun-seed: setup
	snakemake --cores $(CORES) all --forcerun runs/$(TASK)/fairseq/$(INIT)/seed$(SEED)/metrics.json

# A file's texts labelled by the task's export (one text per line, or a .tsv with a text column):
# predictions/$(TASK)/<file stem>.tsv. Snakemake's --config takes no dotted keys: the block is given whole.
INPUT ?=
MODEL ?= fairseq-pretrained
predict: setup
	snakemake --cores $(CORES) predict --config 'predict={task: $(TASK), input: $(INPUT), model: $(MODEL)}'

# The README's table of demo numbers, rewritten from reports/demo/ (run after `make run`).
readme-numbers: setup
	$(BIN)/python tools/readme_numbers.py

# config/README.md, the table of every config key, rewritten from config/schema.yaml and config.yaml.
config-docs: setup
	$(BIN)/python tools/config_docs.py

# What the suite also checks (tests/test_lint.py): ruff on the Python code, snakefmt on the rules,
# Snakemake's own linter on the workflow.
lint: setup
	ruff check scripts tools tests
	snakefmt --check Snakefile rules
	snakemake --lint

clean:  # keeps what was downloaded or placed by hand (data/<task>/raw, data/downloads, models/real/pretrained)
	rm -rf data/demo data/*/prepared data/*/bin data/*/jsonl models/demo models/*/hf_pretrained models/*/hf_parity.json \
		runs logs benchmarks exports predictions reports/*/ reports/summary.* .snakemake
