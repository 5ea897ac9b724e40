"""The Debian package installs the box's Python dependencies from requirements/box.lock (and
builds the project's wheel with requirements/build.lock): each lock must pin, with hashes, a
release of every requirement pyproject.toml names, or the package would install what the
tests never ran (or fail to install at all).  scripts/lock-box regenerates them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)", re.MULTILINE)


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Each pinned distribution's version and how many hashes it carries."""
    text = lock.read_text()
    pins = {}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        found = PIN.match(block)
        if found:
            name = re.sub(r"[-_.]+", "-", found.group(1)).lower()
            pins[name] = (found.group(2), block.count("--hash=sha256:"))
    return pins


def _project() -> dict:
    with open(REPO / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


@pytest.mark.parametrize(("lock", "section"), [
    ("box.lock", ("project", "dependencies")),
    ("build.lock", ("build-system", "requires")),
])
def test_the_lock_pins_every_requirement_with_hashes(lock: str, section: tuple[str, str]) -> None:
    pins = _pins(REPO / "requirements" / lock)
    requirements = [Requirement(text) for text in _project()[section[0]][section[1]]]
    assert requirements
    for requirement in requirements:
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{lock} has no {name}: run scripts/lock-box"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: "
            "run scripts/lock-box")
    for name, (_version, hashes) in pins.items():
        assert hashes >= 1, f"{lock}: {name} has no hash"


def test_both_locks_are_for_one_python_the_project_supports() -> None:
    versions = set()
    for lock in ("box.lock", "build.lock"):
        found = re.search(r"^#\s+scripts/lock-box (3\.\d+)$",
                          (REPO / "requirements" / lock).read_text(), re.MULTILINE)
        assert found, f"{lock} does not say which Python it is for"
        versions.add(found.group(1))
    assert len(versions) == 1
    python = versions.pop()
    requires = Requirement(f"python{_project()['project']['requires-python']}").specifier
    assert requires.contains(f"{python}.0")
