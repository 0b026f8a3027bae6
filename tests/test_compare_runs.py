"""tools/compare_runs.py: equal results pass whatever the time and memory; any other change fails."""
import json
import subprocess
import sys

from conftest import REPO

TOOL = REPO / "tools/compare_runs.py"


def write(root, rel, value):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def compare(a, b):
    return subprocess.run([sys.executable, str(TOOL), str(a), str(b)], capture_output=True, text=True)


def test_time_and_memory_are_left_out_and_results_are_not(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run = {"test_accuracy": 81.5, "epochs": [{"valid": 80.0}], "wall_seconds": 12.0, "peak_rss_mb": 500}
    write(a, "runs/demo/fairseq/pretrained/seed0/metrics.json", run)
    write(b, "runs/demo/fairseq/pretrained/seed0/metrics.json", {**run, "wall_seconds": 14.2, "peak_rss_mb": 512})
    proc = compare(a, b)
    assert proc.returncode == 0 and "1 JSON files compared, 0 differ" in proc.stdout

    write(b, "runs/demo/fairseq/pretrained/seed0/metrics.json", {**run, "epochs": [{"valid": 80.5}]})
    proc = compare(a, b)
    assert proc.returncode == 1
    assert "runs/demo/fairseq/pretrained/seed0/metrics.json: differs in epochs" in proc.stdout


def test_a_missing_file_or_an_empty_folder_fails(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "reports/demo/probe.json", {"accuracy": 90.0})
    (b / "reports").mkdir(parents=True)
    assert compare(a, b).returncode == 1
    assert compare(b, a).returncode == 1  # nothing compared is not a pass
    write(b, "reports/demo/probe.json", {"accuracy": 90.0})
    write(b, "reports/demo/extra.json", {"accuracy": 1.0})
    proc = compare(a, b)
    assert proc.returncode == 1 and "reports/demo/extra.json: missing in" in proc.stdout
