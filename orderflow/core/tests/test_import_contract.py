"""The import contract (pyproject.toml, checked by `lint-imports` in `make test`) places every module: a
module in no layer would be free to import anything, so a new one fails here until it is given a place."""

from __future__ import annotations

import tomllib
from pathlib import Path

import orderflow

ROOT = Path(orderflow.__file__).parent
# Configuration that Django and the WSGI server load by name; no module imports them.
UNLAYERED = {"orderflow", "orderflow.settings", "orderflow.settings_test", "orderflow.wsgi"}


def layered_modules() -> set[str]:
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    names = set()
    for layer in contract["layers"]:
        for name in layer.replace("|", ":").split(":"):
            names.add(name.strip().strip("()"))
    return names


def modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "tests" in parts or parts[-1] == "conftest":
            continue
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_has_a_layer():
    layers = layered_modules()

    def placed(module: str) -> bool:
        # In a layer, inside one, or a package whose modules are placed one by one.
        return any(
            module == layer or module.startswith(f"{layer}.") or layer.startswith(f"{module}.")
            for layer in layers
        )

    unplaced = sorted(m for m in modules() - UNLAYERED if not placed(m))
    assert unplaced == [], f"Give these modules a layer in pyproject.toml's [tool.importlinter]: {unplaced}"


def test_every_layer_is_a_module():
    missing = sorted(name for name in layered_modules() if name not in modules())
    assert missing == []
