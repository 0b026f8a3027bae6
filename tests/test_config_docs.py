"""config/README.md documents every config key: the schema describes each one, and the file is
what `make config-docs` (tools/config_docs.py) writes from the schema and config.yaml."""
import importlib.util
import subprocess
import sys

import yaml

from conftest import REPO

TOOL = REPO / "tools/config_docs.py"
SCHEMA = yaml.safe_load((REPO / "config/schema.yaml").read_text())
CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())


def undescribed(node: dict, path: str) -> list[str]:
    """Paths of the properties (and map entries, `<name>`) under ``node`` without a description."""
    missing = []
    children = [(f"{path}.{key}" if path else key, sub) for key, sub in node.get("properties", {}).items()]
    if isinstance(node.get("additionalProperties"), dict):
        children.append((f"{path}.<name>", node["additionalProperties"]))
    for where, sub in children:
        if not str(sub.get("description", "")).strip():
            missing.append(where)
        missing += undescribed(sub, where)
    return missing


def leaves(value, path=()):
    """Paths of config.yaml's leaf values (lists and empty mappings included)."""
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from leaves(sub, path + (str(key),))
    else:
        yield path


def readme_keys() -> list[list[str]]:
    keys = []
    for line in (REPO / "config/README.md").read_text().splitlines():
        if line.startswith("| `"):
            keys.append(line.split("|")[1].strip().strip("`").split("."))
    return keys


def test_every_property_of_the_schema_has_a_description():
    missing = undescribed(SCHEMA, "")
    for name, definition in SCHEMA["definitions"].items():
        missing += undescribed({"properties": {f"definitions.{name}": definition}}, "")
    assert missing == []


def test_the_readme_is_what_the_tool_writes():
    proc = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_readme_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("config_docs", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    (tmp_path / "config").mkdir()
    monkeypatch.setattr(tool, "REPO", tmp_path)
    monkeypatch.setattr(tool, "README", tmp_path / "config/README.md")
    tool.README.write_text((REPO / "config/README.md").read_text().replace("| `mode` |", "| `stale` |"))
    assert tool.main(["--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "ERROR: config/README.md: out of date; run make config-docs"]
    assert tool.main([]) == 0 and tool.main(["--check"]) == 0


def test_every_key_of_config_yaml_has_a_row():
    keys = readme_keys()

    def documented(path):
        return any(len(key) == len(path) and all(k in (p, "<name>") for k, p in zip(key, path)) for key in keys)

    undocumented = [".".join(path) for path in leaves(CONFIG) if not documented(path)]
    assert undocumented == []
    # both modes' recipes are listed key by key (the schema gives them by $ref)
    for mode in ("real", "demo"):
        for key in SCHEMA["definitions"]["finetune"]["properties"]:
            assert ["finetune", mode, key] in keys
