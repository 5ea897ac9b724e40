"""Installs the top-level folders under one import namespace, ``paivystys``.

The customer's layout keeps ``appliance/``, ``agi/``, ``modem/`` and ``gui/`` at the top of the
repository; installed as-is they would be bare top-level packages that collide with other
distributions.  Each folder is therefore installed as ``paivystys.<folder>``.
"""

from pathlib import Path

from setuptools import find_packages, setup

# modem/ and gui/ join as soon as they hold code (the SMS and console issues).
FOLDERS = [name for name in ("appliance", "agi", "modem", "gui")
           if (Path(__file__).parent / name / "__init__.py").exists()]

packages: list[str] = []
package_dir: dict[str, str] = {}
for folder in FOLDERS:
    for sub in ["", *find_packages(folder, exclude=["*.tests", "tests"])]:
        name = f"paivystys.{folder}" + (f".{sub}" if sub else "")
        packages.append(name)
        package_dir[name] = folder + ("/" + sub.replace(".", "/") if sub else "")

setup(packages=packages, package_dir=package_dir)
