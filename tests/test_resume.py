"""An earlier attempt's working folder is resumed only when it was started with the same settings
(ftlib.core.resume; the kill-and-resume runs are tests/test_recovery.py)."""
from ftlib.core.resume import InProgress


def test_same_settings_resume_other_settings_start_over(tmp_path, capsys):
    first = InProgress(tmp_path, {"recipe": {"lr": 1e-5}, "seed": 0})
    assert first.open(resumable=False) is False
    (first.path / "checkpoint_last.pt").write_text("state")

    assert InProgress(tmp_path, {"recipe": {"lr": 1e-5}, "seed": 0}).open(resumable=True) is True
    assert (first.path / "checkpoint_last.pt").is_file()

    changed = InProgress(tmp_path, {"recipe": {"lr": 2e-5}, "seed": 0})
    assert changed.open(resumable=True) is False
    assert not (first.path / "checkpoint_last.pt").exists()
    assert "(other settings) removed; starting over" in capsys.readouterr().out
    changed.close()
    assert not changed.path.exists()
