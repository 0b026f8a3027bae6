"""A fine-tuned fairseq checkpoint's predictions on one split, example by example, in file order."""
from __future__ import annotations


def predict_split(checkpoint, data_bin, split: str = "test", batch_size: int = 32, cuda: bool = False):
    """(gold labels, predicted labels, probabilities per label, the label order) of ``split``."""
    import torch

    import fairseq_plugin  # noqa: F401  (the project's architectures and task)
    from fairseq import checkpoint_utils

    models, _, task = checkpoint_utils.load_model_ensemble_and_task([str(checkpoint)], arg_overrides={"data": str(data_bin)})
    model = models[0].eval()
    if cuda:
        model = model.cuda()
    task.load_dataset(split)
    dataset, labels = task.dataset(split), task.label_dictionary
    offset = labels.nspecial  # targets count from the label dictionary's first real symbol
    label_names = [labels[i + offset] for i in range(len(labels) - offset)]
    order = sorted(range(len(dataset)))
    gold, predicted, probabilities = [None] * len(dataset), [None] * len(dataset), [None] * len(dataset)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            sample = dataset.collater([dataset[i] for i in order[start:start + batch_size]])
            if cuda:
                sample = {k: v.cuda() if torch.is_tensor(v) else v for k, v in sample.items()}
                sample["net_input"] = {k: v.cuda() for k, v in sample["net_input"].items()}
            logits, _ = model(**sample["net_input"], features_only=True,
                              classification_head_name="sentence_classification_head")
            probs = torch.softmax(logits.float(), dim=-1).cpu()
            for row, i, target in zip(probs, sample["id"].tolist(), sample["target"].view(-1).tolist()):
                gold[i] = label_names[target]
                predicted[i] = label_names[int(row.argmax())]
                probabilities[i] = row.tolist()
    return gold, predicted, probabilities, label_names
