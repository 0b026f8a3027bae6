# The exports' helpers (rules/export.smk): functions only (rule files hold rules, `snakemake --lint`).
from ftlib.peft import describe as peft_describe


def predict_target():
    """predictions/<task>/<file stem>.tsv of config predict; what is missing said in one line."""
    task, texts = config["predict"]["task"], config["predict"]["input"]
    if not task or not texts:
        raise WorkflowError(
            "config predict.task and predict.input: which task's model labels which file "
            "(make predict TASK=demo INPUT=reviews.txt, or snakemake predict "
            "--config 'predict={task: demo, input: reviews.txt}')"
        )
    if task not in TASKS:
        raise WorkflowError(
            f"config predict.task: {task} is not in the task sheet (known: {', '.join(TASKS)})"
        )
    if not Path(texts).is_file():
        raise WorkflowError(f"{texts}: file is missing (config predict.input)")
    return f"predictions/{task}/{Path(texts).stem}.tsv"


# What every export's card says of its task and base model.
export_params = dict(
    task=task_info,
    labels=task_labels,
    export=config["export"],
    base_description=lambda wildcards: peft_model(
        wildcards.task, wildcards.get("model") or "auto"
    ).description,
)


def export_targets():
    """Every export of the run: per task, each init of the fairseq and HF branches, each PEFT
    method of the branch's model."""
    targets = []
    for task in RUN_TASKS:
        for branch in ("fairseq", "hf"):
            if branch in BRANCHES:
                targets += [
                    f"exports/{task}/{branch}-{init}" for init in config["inits"]
                ]
        if "peft" in BRANCHES:
            model = peft_model(task).name
            methods = config["peft"][TASKS[task].mode]["methods"]
            targets += [f"exports/{task}/peft-{model}-{method}" for method in methods]
    return targets
