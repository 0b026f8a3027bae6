# The PEFT branch's helpers (rules/peft.smk): functions only (rule files hold rules, `snakemake --lint`).
from ftlib.core.studies import load_studies


def peft_hp(wildcards):
    return peft_recipe_values(
        config,
        task_mode(wildcards),
        wildcards.method,
        len(TASKS[wildcards.task].labels),
        wildcards.task,
    )


def peft_model_folder(wildcards):
    """The folder of the model the PEFT branch fine-tunes on the task: the run's (wildcard
    model), else the one peft.model gives the task."""
    return peft_model(wildcards.task, wildcards.get("model")).folder(wildcards.task)


def peft_method_spec(wildcards):
    return config["peft"]["methods"][wildcards.method]


def peft_setting(key):
    """A key of peft.<mode> for the task's mode (methods, seeds)."""
    return lambda wildcards: config["peft"][task_mode(wildcards)][key]


def peft_report(task):
    return f"reports/{task}/peft_report.md"


def run_method_specs(wildcards):
    """The methods the task's PEFT runs use (peft.<mode>.methods), by name, in report order."""
    names = config["peft"][task_mode(wildcards)]["methods"]
    return {name: config["peft"]["methods"][name] for name in names}


# Every preset's published study (config/presets/*.yaml), its rows with their methods' kinds: the
# PEFT reports' for-scale column and the summary's PEFT references. Read once, at start-up.
PEFT_STUDIES = load_studies(
    WORKFLOW_DIR / "config" / "presets", config["peft"]["methods"]
)
