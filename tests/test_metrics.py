"""Aggregation: best-valid epoch, mean ± std, and reading real TensorBoard event files."""
import pytest

from ftlib.core.recipe import Recipe, schedule
from ftlib.fairseq.commands import finetune_command
from ftlib.core.metrics import best_epoch, mean_std, run_metrics


def test_mean_std_reproduces_the_reference_rows():
    mean, std = mean_std([81.5, 78.0, 82.5])  # pretrained, report B: 80.6 ± 1.92
    assert mean == pytest.approx(80.6667, abs=1e-4) and std == pytest.approx(1.9293, abs=1e-4)
    mean, std = mean_std([62.5, 64.5, 63.5])  # scratch, report B: 63.5 ± 0.81
    assert mean == pytest.approx(63.5) and std == pytest.approx(0.8165, abs=1e-4)
    assert mean_std([70.0]) == (70.0, 0.0)
    with pytest.raises(ValueError):
        mean_std([])


def test_best_epoch_takes_the_later_of_tied_epochs_like_checkpoint_best():
    assert best_epoch([50.0, 80.0, 75.0, 80.0, 60.0]) == 3
    assert best_epoch([90.0, 10.0]) == 0


def test_schedule_is_computed_from_the_data():
    assert schedule(2000, 8, 5, 0.06) == (1250, 75)  # the lab's numbers
    assert schedule(1801, 8, 5, 0.06) == (1130, 68)  # a partial last batch is one more update


def test_pretrained_restores_with_resets_and_scratch_does_not():
    hp = Recipe(arch="roberta_small", num_classes=2, init_token=0, separator_token=2, max_positions=256,
                batch_size=8, lr=1e-5, max_epoch=5, warmup_ratio=0.06, adam_betas=(0.9, 0.98),
                adam_eps=1e-8, weight_decay=0.01, clip_norm=0.0, dropout=0.1, attention_dropout=0.1)
    pretrained = finetune_command(hp, "bin", "save", "tb", 1, 2000, restore_file="model.pt")
    scratch = finetune_command(hp, "bin", "save", "tb", 1, 2000)
    flag = lambda cmd, name: cmd[cmd.index(name) + 1]  # noqa: E731
    assert flag(pretrained, "--total-num-update") == "1250" and flag(pretrained, "--warmup-updates") == "75"
    assert flag(pretrained, "--restore-file") == "model.pt"
    assert {"--reset-optimizer", "--reset-dataloader", "--reset-meters"} <= set(pretrained)
    assert "--restore-file" not in scratch and "--reset-optimizer" not in scratch
    assert flag(scratch, "--valid-subset") == "valid,test" and flag(scratch, "--adam-betas") == "(0.9,0.98)"


def test_run_metrics_reads_tensorboard_events(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    valid, test = [60.0, 72.5, 70.0], [58.0, 69.0, 71.5]
    for subset, values in (("valid", valid), ("test", test)):
        with SummaryWriter(str(tmp_path / subset)) as writer:
            for epoch, value in enumerate(values, start=1):
                writer.add_scalar("accuracy", value, epoch * 10)
    metrics = run_metrics(tmp_path)
    assert metrics["best_epoch"] == 2
    assert metrics["best_valid_accuracy"] == 72.5 and metrics["test_accuracy"] == 69.0
    assert [e["update"] for e in metrics["epochs"]] == [10, 20, 30]


def test_run_metrics_refuses_incomplete_logs(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path / "valid")) as writer:
        writer.add_scalar("accuracy", 50.0, 1)
    with pytest.raises(ValueError, match="1 valid and 0 test"):
        run_metrics(tmp_path)


def test_an_accuracy_from_predictions_is_reported_as_fairseq_logs_it():
    # what fairseq-validate printed for these counts of 400 test reviews (the full demo's seeds)
    from ftlib.core.metrics import as_fairseq_logs

    assert [as_fairseq_logs(100.0 * c / 400) for c in (358, 357, 355, 235, 236)] == [89.5, 89.2, 88.8, 58.8, 59.0]
