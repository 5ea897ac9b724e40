"""Builds the console's wheel from this folder, which is itself the package `paivystys.gui`.

The Finnish catalog is compiled (.ts → .qm) while building, so the wheel carries what Qt can
load and the repository carries only the source the translators edit.
"""

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent


class BuildWithTranslations(build_py):
    def run(self) -> None:
        import subprocess
        import sys

        lrelease = Path(sys.executable).with_name("pyside6-lrelease")
        for source in (HERE / "i18n").glob("*.ts"):
            subprocess.run([str(lrelease) if lrelease.exists() else "pyside6-lrelease",
                            "-silent", str(source), "-qm", str(source.with_suffix(".qm"))],
                           check=True)
        super().run()

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        # This folder is the package, so this build script would otherwise ship as a module.
        return [module for module in super().find_package_modules(package, package_dir)
                if Path(module[2]).resolve() != Path(__file__).resolve()]


packages = ["paivystys.gui", *(f"paivystys.gui.{name}" for name in
                               find_packages(str(HERE), exclude=["tests", "*.tests", "build*"]))]
setup(
    packages=packages,
    package_dir={"paivystys.gui": "."},
    # The desktop entry and its icon too: `python -m paivystys.gui.desktop` installs them.
    package_data={"paivystys.gui": ["paivystys-console.desktop"],
                  "paivystys.gui.i18n": ["*.qm"], "paivystys.gui.icons": ["*.svg"]},
    cmdclass={"build_py": BuildWithTranslations},
)
