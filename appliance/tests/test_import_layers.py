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


def _layered_modules(contract_id: str) -> set[str]:
    return {name.strip() for row in _contract(contract_id)["layers"] for name in row.split("|")}


def _modules(folder: str, *, not_code: tuple[str, ...] = ()) -> set[str]:
    """Every package and top-level module of a folder, its tests and ``not_code`` aside."""
    path = ROOT / folder
    packages = {f"paivystys.{folder}.{init.parent.name}" for init in path.glob("*/__init__.py")
                if init.parent.name != "tests"}
    modules = {f"paivystys.{folder}.{module.stem}" for module in path.glob("*.py")
               if module.name != "__init__.py" and module.name not in not_code}
    return packages | modules


def _appliance_modules() -> set[str]:
    return _modules("appliance") | {"paivystys.agi", "paivystys.modem"}


def _console_modules() -> set[str]:
    # gui/setup.py builds the console's own distribution; nothing imports it.
    return _modules("gui", not_code=("setup.py",))


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
    assert _appliance_modules() - _layered_modules("layers") == set()
    assert _console_modules() - _layered_modules("console-layers") == set()


def test_the_layers_name_only_packages_that_exist() -> None:
    assert _layered_modules("layers") - _appliance_modules() == set()
    assert _layered_modules("console-layers") - _console_modules() == set()
