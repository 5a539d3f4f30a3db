"""Read workflow definitions from preset files in the package or from a file a seller supplies."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from orderflow.workflows.definition import WorkflowError

PRESETS_DIR = Path(__file__).resolve().parent / "presets"


def preset_keys() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.toml"))


@cache
def load_preset(key: str) -> dict[str, Any]:
    """The raw preset (with its options still unresolved). Raises WorkflowError for an unknown key."""
    if key not in preset_keys():
        raise WorkflowError(f"unknown preset {key!r}; choose one of {', '.join(preset_keys())}")
    return read_definition(PRESETS_DIR / f"{key}.toml")


def read_definition(path: Path) -> dict[str, Any]:
    """Parse a TOML or JSON file into a raw definition, with the file named in any error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise WorkflowError(f"{path}: is not UTF-8 text") from None
    return parse_text(text, name=str(path), json_format=path.suffix == ".json")


def parse_text(text: str, *, name: str = "definition", json_format: bool = False) -> dict[str, Any]:
    if json_format:
        import json

        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WorkflowError(f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(data, dict):
            raise WorkflowError(f"{name}: the top level must be an object")
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"{name}: not valid TOML ({exc})") from None
