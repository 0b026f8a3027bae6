# The exports' helpers (rules/export.smk): functions only (rule files hold rules, `snakemake --lint`).


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
