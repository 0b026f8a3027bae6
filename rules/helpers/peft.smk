# The PEFT branch's helpers (rules/peft.smk): functions only (rule files hold rules, `snakemake --lint`).


def peft_hp(wildcards):
    return peft_recipe_values(
        task_mode(wildcards), wildcards.method, len(TASKS[wildcards.task].labels)
    )


def peft_method_spec(wildcards):
    return config["peft"]["methods"][wildcards.method]


def peft_setting(key):
    """A key of peft.<mode> for the task's mode (methods, seeds)."""
    return lambda wildcards: config["peft"][task_mode(wildcards)][key]


def peft_report(task):
    return f"reports/{task}/peft_report.md"
