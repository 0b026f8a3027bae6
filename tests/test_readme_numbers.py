"""`make readme-numbers`: the README's demo table is rewritten from the reports, never typed."""
import subprocess
import sys

import pandas as pd

from conftest import REPO

TOOL = REPO / "tools/readme_numbers.py"
BEGIN = "<!-- demo-numbers: begin (make readme-numbers writes this table from reports/demo/) -->"
END = "<!-- demo-numbers: end -->"


def test_the_table_is_rewritten_from_the_reports_and_nothing_else(demo_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n\n{BEGIN}\n| stale | 1 |\n{END}\n\nafter\n")
    proc = subprocess.run([sys.executable, str(TOOL), str(readme), str(demo_run / "reports/demo")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n\n" + BEGIN) and text.endswith(END + "\n\nafter\n")
    assert "| stale | 1 |" not in text
    runs = pd.read_csv(demo_run / "reports/demo/fairseq_runs.tsv", sep="\t")
    pretrained = runs.loc[runs["init"] == "pretrained", "test_accuracy"].iloc[0]
    assert f"| fairseq, pretrained (test acc., seeds 0) | {pretrained:.1f} (" in text
    peft = pd.read_csv(demo_run / "reports/demo/peft_runs.tsv", sep="\t")
    for _, row in peft.iterrows():  # one seed: the mean is the run's own number
        assert f"{row['method']} {row['test_accuracy']:.1f} ({row['trainable_params']:,})" in text
    answers = pd.read_csv(demo_run / "reports/demo/bloom_answers.tsv", sep="\t", keep_default_na=False)
    assert f"{answers['after'].nunique()}/{len(answers)}; " in text


def test_a_readme_without_the_markers_or_reports_is_refused_in_one_line(demo_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n")
    proc = subprocess.run([sys.executable, str(TOOL), str(readme), str(demo_run / "reports/demo")],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and proc.stderr.strip().startswith(f"ERROR: {readme}: no ")
    readme.write_text(f"{BEGIN}\n{END}\n")
    proc = subprocess.run([sys.executable, str(TOOL), str(readme), str(tmp_path / "missing")],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "fairseq_runs.tsv: missing; run the full demo first" in proc.stderr
    assert readme.read_text() == f"{BEGIN}\n{END}\n"  # untouched


def test_the_variance_rows_come_from_the_studys_runs_when_there_are_any(tmp_path):
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("readme_numbers", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    reports = tmp_path / "reports/demo"
    assert tool.variance_rows(reports) == []  # no study run: no row
    accs = {"init": [80.0, 84.0], "data_order": [81.0, 83.0], "dropout": [82.0, 82.0]}
    for source, values in accs.items():
        for seed, acc in enumerate(values, start=1):
            run = tmp_path / f"runs/demo/hf_variance/scratch/{source}/seed{seed}"
            run.mkdir(parents=True)
            (run / "metrics.json").write_text(json.dumps({"test_accuracy": acc}))
    # stds 2.83, 1.41, 0: variances 8, 2, 0 of 10
    assert tool.variance_rows(reports) == [["HF variance by source, scratch: test acc. std over 2 seeds (share)",
                                            "init 2.83 (80 %); data order 1.41 (20 %); dropout 0.00 (0 %)"]]
