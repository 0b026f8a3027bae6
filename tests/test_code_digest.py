"""Results that cannot go stale: a job's code is its script and every project module it imports
(ftlib/core/code_digest.py), so a library change reruns exactly the jobs that import it, and a
copy of the tree with fresh mtimes and the same contents reruns nothing."""
import os
import re
import shutil
import time

from conftest import REPO, SCRIPTS, run_snakemake
from ftlib.core.code_digest import code_digest, dependencies

# the demo's report targets that need no BLOOM job (its FAQ input is a path inside the repository,
# which a copy of the tree moves)
TARGETS = ["reports/demo/fairseq_report.md", "reports/demo/comparison_report.md", "reports/demo/peft_report.md"]


def relative(script):
    return {str(p.relative_to(SCRIPTS)) for p in dependencies(str(SCRIPTS / script))}


def test_a_script_depends_on_the_modules_it_reaches_through_imports():
    hf = relative("hf/finetune_hf.py")
    assert {"hf/finetune_hf.py", "ftlib/hf/train.py", "ftlib/core/errors.py"} <= hf
    assert not any(p.startswith("ftlib/peft/") for p in hf) and "ftlib/fairseq/commands.py" not in hf
    # the PEFT registry imports each kind's module (its list, ftlib/peft/methods/__init__.py: KINDS)
    assert {"ftlib/peft/methods/lora.py", "ftlib/peft/methods/prompt.py", "ftlib/peft/soft_prompt.py"} <= \
        relative("peft/finetune_peft.py")
    assert "ftlib/hf/train.py" not in relative("data/make_demo_corpus.py")
    # fairseq loads the plugin by folder (--user-dir): a script whose commands name it depends on it
    assert {"fairseq_plugin/length_grouped.py", "ftlib/fairseq/commands.py"} <= relative("fairseq/finetune_fairseq.py")


def copy_tree(destination):
    """The workflow's code as a fresh checkout has it: same contents, new mtimes."""
    for folder in ("scripts", "rules", "config", "profiles"):
        shutil.copytree(REPO / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "Snakefile", destination / "Snakefile")
    later = time.time() + 60
    for path in destination.rglob("*"):
        os.utime(path, (later, later))
    return destination


def rerun_reasons(stdout: str) -> dict:
    """{rule: [reason, ...]} of a dry run's jobs."""
    found = {}
    for block in re.split(r"\n(?=rule \w+:)", stdout):
        rule = re.match(r"rule (\w+):", block)
        reason = re.search(r"reason: (.*)", block)
        if rule and reason:
            found.setdefault(rule.group(1), []).append(reason.group(1))
    return found


def test_a_library_change_reruns_exactly_the_jobs_that_import_it(demo_run, tmp_path):
    copy = copy_tree(tmp_path / "checkout")
    snakefile = copy / "Snakefile"
    same = run_snakemake(demo_run, "-n", *TARGETS, snakefile=snakefile)
    assert rerun_reasons(same.stdout) == {}, same.stdout[-3000:]  # fresh mtimes, same contents

    module = copy / "scripts/ftlib/hf/train.py"
    source = module.read_text()
    # prose (a comment, a docstring) is not code: nothing reruns
    module.write_text(source.replace('"""Fine-tuning', '"""Reworded: fine-tuning', 1) + "\n# a comment\n")
    assert rerun_reasons(run_snakemake(demo_run, "-n", *TARGETS, snakefile=snakefile).stdout) == {}
    module.write_text(source + "\nCHANGED = True  # a change to the HF training library\n")
    reasons = rerun_reasons(run_snakemake(demo_run, "-n", *TARGETS, snakefile=snakefile).stdout)
    root = (copy / "scripts").resolve()
    importers = {rule for rule, script in rule_scripts(copy).items()
                 if "ftlib/hf/train.py" in {str(p.relative_to(root))
                                            for p in dependencies(str(copy / script), root)}}
    assert importers and {"finetune_hf", "finetune_peft"} <= importers
    changed = {rule for rule, why in reasons.items() if any("Params have changed" in r for r in why)}
    assert changed == importers & set(reasons), reasons
    assert "finetune_fairseq" not in reasons and "prepare_split" not in reasons
    assert {"report_hf_comparison", "report_peft"} <= set(reasons)  # the reports above them
    assert code_digest(copy / "scripts/hf/finetune_hf.py", root) != code_digest(SCRIPTS / "hf/finetune_hf.py")


def rule_scripts(tree) -> dict:
    """{rule: script path relative to the tree} of every rule file."""
    found = {}
    for smk in (tree / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule \w+:|use rule )", smk.read_text()):
            rule, script = re.match(r"rule (\w+):", block), re.search(r'script:\s*"\.\./(scripts/[^"]+)"', block)
            if rule and script:
                found[rule.group(1)] = script.group(1)
    return found


def test_run_records_carry_the_code_digest(demo_run):
    import pandas as pd

    runs = pd.read_csv(demo_run / "reports/demo/runs.csv")
    assert runs.code_digest.notna().all() and runs.code_digest.str.fullmatch(r"[0-9a-f]{12}").all()
    hf = runs[runs.branch == "hf"].code_digest.iloc[0]
    assert hf == code_digest(SCRIPTS / "hf/finetune_hf.py")


def test_a_file_changed_in_place_is_parsed_again(tmp_path):
    # the parse is cached per workflow start, keyed by the file's path, mtime and size
    from ftlib.core.code_digest import code_text, imported_modules

    module = tmp_path / "module.py"
    module.write_text('"""Prose."""\nimport os\n')
    before = code_text(module)
    assert code_text(module) == before and imported_modules(module) == set()
    module.write_text('"""Prose."""\nimport ftlib.core.errors\nVALUE = 1\n')
    assert code_text(module) != before
    assert imported_modules(module) == {"ftlib", "ftlib.core", "ftlib.core.errors"}
