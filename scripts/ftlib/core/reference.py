"""Published reference numbers of the real experiment, shown beside this run's: two reproductions,
"report A" and "report B" (the README's "Expected numbers" table)."""

# Test accuracy (%) at the best-valid epoch, seeds 0, 1, 2, on the real CLS-books setting.
FAIRSEQ_REFERENCE = {
    "pretrained": {"report A": [79.9, 80.0, 83.5], "report B": [81.5, 78.0, 82.5]},
    "scratch": {"report A": [67.5, 68.1, 67.4], "report B": [62.5, 64.5, 63.5]},
}
HF_REFERENCE = {"pretrained": {"report A": [79.9, 79.0, 81.1], "report B": [84.0, 82.0, 82.0]}}
ROBERTA_SMALL_ENCODER_PARAMS = 22_829_056
