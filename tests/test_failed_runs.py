"""A failed run (best valid accuracy within 5 points of chance) is counted and listed, not averaged away."""
from ftlib.core.failed_runs import chance_accuracy, failed_run_lines, is_failed


def run(method, seed, valid, test=50.0):
    return {"method": method, "seed": seed, "best_valid_accuracy": valid, "test_accuracy": test}


def test_within_five_points_of_chance_is_a_failed_run():
    assert chance_accuracy(2) == 50.0 and round(chance_accuracy(3), 2) == 33.33
    assert is_failed(55.0, 2) and is_failed(45.0, 2) and is_failed(50.0, 2)
    assert not is_failed(55.1, 2) and not is_failed(44.9, 2)
    assert is_failed(36.0, 3) and not is_failed(40.0, 3)


def test_the_section_counts_and_lists_each_methods_failed_runs():
    runs = [run("bitfit", 0, 88.0), run("bitfit", 1, 52.0, 49.5), run("ia3", 0, 54.9, 51.0), run("ia3", 1, 70.0)]
    text = "\n".join(failed_run_lines(runs, ["bitfit", "ia3"], 2))
    assert "2 of 4 runs failed" in text
    assert "| bitfit | 2 | 1 | seed 1: valid 52.0, test 49.5 |" in text
    assert "| ia3 | 2 | 1 | seed 0: valid 54.9, test 51.0 |" in text
    none = "\n".join(failed_run_lines([run("full", 0, 90.0)], ["full"], 2))
    assert "0 of 1 runs failed" in none and "| full | 1 | 0 | — |" in none
