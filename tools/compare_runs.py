"""Compare the results of two workflow folders: every JSON file under runs/, reports/, models/ and
data/, with the measured time and memory keys left out (they differ between any two runs), and
the git commit and code digest of run.json (two checkouts' runs differ there by design).

    python tools/compare_runs.py FOLDER_A FOLDER_B

Exit status 0 when every other value is equal (equal, not close: CPU runs are deterministic), 1
otherwise, with one line per file that differs. Used to show that a refactor changes no result:
the same reduced run before and after.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

MEASURED = re.compile(r"wall|seconds|rss|cuda_mb|elapsed|runtime|per_second|_ms$"
                      r"|^git_commit$|^code_digest$", re.I)  # and the code that ran it (run.json): it differs by design
FOLDERS = ("runs", "reports", "models", "data")


def without_measurements(value):
    if isinstance(value, dict):
        return {k: without_measurements(v) for k, v in value.items() if not MEASURED.search(k)}
    if isinstance(value, list):
        return [without_measurements(v) for v in value]
    return value


def differences(a: Path, b: Path) -> tuple[int, list[str]]:
    files = sorted(f.relative_to(a) for folder in FOLDERS for f in (a / folder).rglob("*.json"))
    found = [f"{rel}: missing in {a}" for rel in sorted(f.relative_to(b) for folder in FOLDERS
                                                         for f in (b / folder).rglob("*.json"))
             if not (a / rel).is_file()]
    for rel in files:
        if not (b / rel).is_file():
            found.append(f"{rel}: missing in {b}")
            continue
        left, right = (without_measurements(json.loads((root / rel).read_text())) for root in (a, b))
        if left != right:
            keys = sorted(k for k in set(left) | set(right) if left.get(k) != right.get(k)) \
                if isinstance(left, dict) and isinstance(right, dict) else []
            found.append(f"{rel}: differs" + (f" in {', '.join(keys[:8])}" if keys else ""))
    return len(files), found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a, b = map(Path, argv)
    count, found = differences(a, b)
    for line in found:
        print(line)
    print(f"{count} JSON files compared, {len(found)} differ (time and memory left out)")
    return 1 if found or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
