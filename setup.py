"""The wheel carries the checkout's templates/, locale/ and fixtures/ in planning/resources/.

They stay at the top of the checkout, where developers, the translators'
union merge (.gitattributes) and the tests expect them; at build time they
are copied into the package, and each locale's .po compiled to its .mo with
polib (the .mo files are not in git). planning/settings.py looks for
planning/resources/ and falls back to the checkout's folders. Everything
else is in pyproject.toml.
"""

import shutil
from pathlib import Path

import polib
from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = ("templates", "locale", "fixtures")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install reads the checkout's folders
        target = Path(self.build_lib) / "planning" / "resources"
        for name in RESOURCES:
            shutil.copytree(
                name, target / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.mo")
            )
        for po_path in sorted((target / "locale").glob("*/LC_MESSAGES/*.po")):
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


setup(cmdclass={"build_py": BuildWithResources})
