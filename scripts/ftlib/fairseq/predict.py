"""A fine-tuned fairseq checkpoint's predictions on one split, example by example, in file order."""
from __future__ import annotations


def predict_split(checkpoint, data_bin, labels: list[str], split: str = "test", batch_size: int = 32,
                  cuda: bool = False):
    """(gold labels, predicted labels, probabilities in ``labels``' order) of ``split``."""
    import torch

    import fairseq_plugin  # noqa: F401  (the project's architectures and task)
    from fairseq import checkpoint_utils

    models, _, task = checkpoint_utils.load_model_ensemble_and_task([str(checkpoint)], arg_overrides={"data": str(data_bin)})
    model = models[0].eval()
    if cuda:
        model = model.cuda()
    task.load_dataset(split)
    dataset, dictionary = task.dataset(split), task.label_dictionary
    offset = dictionary.nspecial  # targets count from the label dictionary's first real symbol
    label_names = [dictionary[i + offset] for i in range(len(dictionary) - offset)]
    columns = [label_names.index(label) for label in labels]  # the dictionary's order -> labels'
    gold, predicted, probabilities = [None] * len(dataset), [None] * len(dataset), [None] * len(dataset)
    with torch.no_grad():
        for start in range(0, len(dataset), batch_size):
            sample = dataset.collater([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
            if cuda:
                sample = {k: v.cuda() if torch.is_tensor(v) else v for k, v in sample.items()}
                sample["net_input"] = {k: v.cuda() for k, v in sample["net_input"].items()}
            logits, _ = model(**sample["net_input"], features_only=True,
                              classification_head_name="sentence_classification_head")
            probs = torch.softmax(logits.float(), dim=-1).cpu()
            for row, i, target in zip(probs, sample["id"].tolist(), sample["target"].view(-1).tolist()):
                gold[i] = label_names[target]
                predicted[i] = label_names[int(row.argmax())]
                probabilities[i] = [float(row[c]) for c in columns]
    return gold, predicted, probabilities
