"""Write config/README.md, the reference of every config key, from the schema (`make config-docs`).

One table per top-level section of config/config.yaml: each key's dotted path (`<name>` for the
entries of a map, whose names the user chooses), its type from config/schema.yaml (`$ref`s
followed into the definitions, so both modes' recipes under `finetune` are listed key by key), its
default from config/config.yaml and its meaning, the schema's `description`.

    python tools/config_docs.py           # rewrite config/README.md
    python tools/config_docs.py --check   # exit 1, in one line, when config/README.md is stale
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from ftlib.core.tables import markdown_table

REPO = Path(__file__).resolve().parent.parent

SCHEMA, CONFIG, README = REPO / "config/schema.yaml", REPO / "config/config.yaml", REPO / "config/README.md"
# (entries key, what one entry is, config key that picks entries, sheet, its schema): the task
# sheet and the model sheet
SHEETS = [(key, noun, picks, REPO / f"config/{key}.yaml", REPO / f"config/{key}.schema.yaml")
          for key, noun, picks in [("tasks", "task", "`tasks` picks which entries a run takes"),
                                   ("models", "model", "`peft.model` picks the one the PEFT branch fine-tunes")]]
HEADER = ["key", "type", "default", "meaning"]
NAME = "<name>"
ABSENT = object()  # no value at this path in config.yaml

INTRO = """\
# Configuration reference

`config/config.yaml` holds every setting of the workflow: which tasks it runs (`tasks`), the
seeds, and each branch's data, model and recipe; `config/tasks.yaml`, the task sheet, holds the
tasks (last section). At start-up (rules/common.smk) Snakemake
validates it against `config/schema.yaml` and stops on any key of the wrong type, out of range,
or unknown where the schema says so; then the checks across keys that a schema cannot express
(scripts/ftlib/workflow/config_checks.py: every recipe, PEFT override and sweep setting) run.

This file is generated from the schema (types, meanings) and config.yaml (defaults) by
`make config-docs` (tools/config_docs.py): do not edit it by hand. Change a key's `description`
in config/schema.yaml or its value in config/config.yaml, then run `make config-docs` again;
tests/test_config_docs.py fails while this file is out of date.

To run with other values, leave config.yaml as it is and override it:

- `snakemake --cores 4 all --configfile my.yaml`: my.yaml holds only the keys to change, in the
  same nesting; they are merged over config.yaml, key by key (put `--configfile` last: it takes
  every word after it);
- `snakemake --cores 4 all --config tasks=[demo]`: `key=value` pairs for top-level keys with one
  value; Snakemake reads the items of lists and nested values given this way as strings, which
  the schema refuses where it expects numbers, so set those with `--configfile`.

In the tables: `<name>` stands for the name of a map entry (yours to choose); *optional* keys
may be left out; `—`: no value in config.yaml at that path; an object's keys follow its row.
"""


def resolve(node: dict, schema: dict) -> dict:
    """``node`` with its `$ref` (`#/definitions/...`) replaced by the target; keys beside the
    `$ref` (its description) win over the target's."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def is_map(node: dict) -> bool:
    return isinstance(node.get("additionalProperties"), dict) and not node.get("properties")


def bounds(node: dict) -> str:
    low = ("[", node["minimum"]) if "minimum" in node else ("(", node.get("exclusiveMinimum"))
    high = ("]", node["maximum"]) if "maximum" in node else (")", node.get("exclusiveMaximum"))
    if low[1] is not None and high[1] is not None:
        return f" in {low[0]}{low[1]}, {high[1]}{high[0]}"
    if low[1] is not None:
        return f" {'≥' if low[0] == '[' else '>'} {low[1]}"
    if high[1] is not None:
        return f" {'≤' if high[0] == ']' else '<'} {high[1]}"
    return ""


def type_text(node: dict, schema: dict) -> str:
    node = resolve(node, schema)
    if "oneOf" in node and "type" not in node:  # one of several shapes (e.g. `auto` or a list)
        return " or ".join(type_text(alt, schema) for alt in node["oneOf"])
    kind = node.get("type", "any")
    if isinstance(kind, list):  # several types allowed
        return " or ".join(kind) + bounds(node)
    if "enum" in node:
        return f"{kind}: " + " or ".join(f"`{v}`" for v in node["enum"])
    if "pattern" in node:
        return f"{kind} matching `{node['pattern']}`"
    if kind == "array":
        size = []
        if "minItems" in node:
            exact = node.get("maxItems") == node["minItems"]
            size.append(f"{'' if exact else '≥ '}{node['minItems']} items")
        if node.get("uniqueItems"):
            size.append("unique")
        return f"list of {type_text(node.get('items', {}), schema)}" + (f" ({', '.join(size)})" if size else "")
    if kind == "object" and is_map(node):
        entries = f" (≥ {node['minProperties']} entries)" if "minProperties" in node else ""
        values = node["additionalProperties"]
        target = "object" if resolve(values, schema).get("type") == "object" else type_text(values, schema)
        return f"map: `{NAME}` → {target}{entries}"
    return kind + bounds(node)


def inline(value) -> str:
    """A config value as one line of flow-style YAML."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def default_text(value, node: dict) -> str:
    if value is ABSENT:
        return "—"
    if isinstance(value, dict):  # a map lists its entries; an object's keys follow its row
        return ", ".join(f"`{k}`" for k in value) if is_map(node) else ""
    return f"`{inline(value)}`"


def prose(text: str) -> str:
    """A description as Markdown: placeholders such as <s> or finetune.<mode>, which a renderer
    would take for HTML tags, put in code spans (text already in backticks is left as it is)."""
    parts = text.split("`")
    parts[::2] = [re.sub(r"(</?[\w-]+>[\w.]*)", r"`\1`", part) for part in parts[::2]]
    return "`".join(parts)


def rows(node: dict, path: str, value, required: bool, schema: dict) -> list[list[str]]:
    """The row of ``path`` then those of every key under it, in config.yaml's order, then the
    schema's keys config.yaml leaves out."""
    node = resolve(node, schema)
    kind = type_text(node, schema) + ("" if required else ", *optional*")
    out = [[f"`{path}`", kind, default_text(value, node), prose(node.get("description", ""))]]
    props = node.get("properties", {})
    given = value if isinstance(value, dict) else {}
    for key in [k for k in given if k in props] + [k for k in props if k not in given]:
        out += rows(props[key], f"{path}.{key}", given.get(key, ABSENT), key in node.get("required", []), schema)
    if isinstance(node.get("additionalProperties"), dict):
        out += rows(node["additionalProperties"], f"{path}.{NAME}", ABSENT, True, schema)
    return out


def table(rows_: list[list[str]]) -> list[str]:
    return markdown_table(HEADER, [[cell.replace("|", "\\|") for cell in row] for row in rows_])


def render(schema: dict, config: dict) -> str:
    """The whole README: the intro, the top-level scalars, then one section per top-level object
    (config.yaml's order, then those only the schema names)."""
    props, required = schema["properties"], schema.get("required", [])
    keys = [k for k in config if k in props] + [k for k in props if k not in config]
    scalars = [k for k in keys if resolve(props[k], schema).get("type") != "object"]
    lines = [INTRO, "## Top-level keys", ""]
    lines += table([r for k in scalars for r in rows(props[k], k, config.get(k, ABSENT), k in required, schema)])
    for key in (k for k in keys if k not in scalars):
        node = resolve(props[key], schema)
        section = rows(node, key, config.get(key, ABSENT), key in required, schema)
        optional = "" if key in required else " (optional)"
        about = prose(node.get("description", "")).rstrip(".")
        lines += ["", f"## `{key}`{optional}", "", about[:1].upper() + about[1:] + ".", ""]
        lines += table(section[1:])
    return "\n".join(lines) + "\n"


def render_sheet(schema: dict, sheet: dict, key: str, noun: str, picks: str) -> str:
    """A sheet's section (the task sheet, the model sheet): every key of an entry (`<task>.key`),
    the entries' names."""
    entry = schema["properties"][key]["items"]
    names = ", ".join(f"`{t['name']}`" for t in sheet[key])
    lines = ["", f"## The {noun} sheet (`config/{key}.yaml`)", "",
             f"One entry per {noun} (a list under `{key}:`), validated against `config/{key}.schema.yaml` at "
             f"start-up; config key {picks}. Entries shipped: {names}. "
             f"`<{noun}>` stands for one entry; the default column is empty (each entry gives its own).", ""]
    lines += table(rows(entry, f"<{noun}>", ABSENT, True, schema)[1:])
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when config/README.md differs from what would be written")
    args = parser.parse_args(argv)
    text = render(yaml.safe_load(SCHEMA.read_text()), yaml.safe_load(CONFIG.read_text()))
    for key, noun, picks, sheet, sheet_schema in SHEETS:
        text += render_sheet(yaml.safe_load(sheet_schema.read_text()), yaml.safe_load(sheet.read_text()),
                             key, noun, picks)
    if args.check:
        if not README.is_file() or README.read_text() != text:
            print(f"ERROR: {README.relative_to(REPO)}: out of date; run make config-docs", file=sys.stderr)
            return 1
        return 0
    README.write_text(text)
    print(f"wrote {README.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
