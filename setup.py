"""Package layout that pyproject.toml cannot say: the rule packs.

The packs live in the top-level ``rules/`` folder (policy, not code) and ship
inside the package as ``harden.packs``.  A mapping, not a symlink: a clone
without symlinks (Windows, ``core.symlinks=false``) still ships them.
Everything else is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "harden.packs"],
    package_dir={"": "src", "harden.packs": "rules"},
)
