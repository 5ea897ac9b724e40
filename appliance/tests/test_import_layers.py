"""The import layers of pyproject.toml's [tool.importlinter] hold, and cover every package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def _contract(contract_id: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _layered_modules() -> set[str]:
    return {name.strip() for row in _contract("layers")["layers"] for name in row.split("|")}


def _appliance_modules() -> set[str]:
    """Every package and top-level module of appliance/ (tests aside), plus agi and modem."""
    folder = ROOT / "appliance"
    packages = {f"paivystys.appliance.{path.parent.name}" for path in folder.glob("*/__init__.py")
                if path.parent.name != "tests"}
    modules = {f"paivystys.appliance.{path.stem}" for path in folder.glob("*.py")
               if path.name != "__init__.py"}
    return packages | modules | {"paivystys.agi", "paivystys.modem"}


# In a process of its own: import-linter configures logging with dictConfig, which disables
# every logger that exists at that moment, and later tests read our loggers' records.
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True))")


def test_every_contract_is_kept() -> None:
    result = subprocess.run([sys.executable, "-c", LINT, str(PYPROJECT)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_has_its_layer() -> None:
    """A new package outside the layers would be free to import anything."""
    assert _appliance_modules() - _layered_modules() == set()


def test_the_layers_name_only_packages_that_exist() -> None:
    assert _layered_modules() - _appliance_modules() == set()
