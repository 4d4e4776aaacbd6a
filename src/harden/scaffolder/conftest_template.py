"""Fixtures for the characterisation tests of MODULE, written by harden scaffold.

The module under test is loaded from the path recorded at generation (relative
to this folder), or, when that file is gone, imported by name (installed as a
package).  ``SCAFFOLD_MODULE_PATH`` in the environment names another file to
test (the mutation pass uses it).  Tests run in the module's data folder, so
the paths the notebook used resolve as they did when it ran.  Captured values
live in ``fixtures/``; ``fixtures/index.json`` says how each was stored.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
MODULE_NAME = "MODULE"
MODULE_PATH = "MODULE.py"
DATA_DIR = "."
NOTEBOOK_PATH = ""  # the notebook the module was extracted from, relative to this folder
FIXTURES = HERE / "fixtures"
_DECIMAL = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: runs the whole module (run() end to end) or the notebook"
    )


def _import_module() -> Any:
    override = os.environ.get("SCAFFOLD_MODULE_PATH")
    path = Path(override) if override else HERE / MODULE_PATH
    if not path.is_file():
        return importlib.import_module(MODULE_NAME)
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture(scope="session")
def module() -> Any:
    """The module under test, imported once per session."""
    return _import_module()


@pytest.fixture(autouse=True)
def _in_data_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run each test where the module's data files are."""
    monkeypatch.chdir(HERE / DATA_DIR)
    yield


@pytest.fixture
def notebook() -> Path:
    """The notebook the module was extracted from (its end-to-end test runs it)."""
    if os.environ.get("SCAFFOLD_MODULE_PATH"):
        pytest.skip("a mutant of the module is under test; the notebook does not change")
    path = (HERE / NOTEBOOK_PATH).resolve()
    if not NOTEBOOK_PATH or not path.is_file():
        pytest.skip(f"the notebook {NOTEBOOK_PATH or '(none recorded)'} is not there")
    return path


@pytest.fixture(autouse=True)
def _seeded(module: Any) -> None:
    """Seed ``random``, ``numpy.random`` and torch (when imported) with 0 before each
    test, as the capture run did before each step: a step that draws from them gives
    the values pinned."""
    import random

    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


@pytest.fixture(scope="session")
def printed() -> Callable[[str], str]:
    """``printed(text)``: text a step printed, each decimal number rounded to 6
    significant digits (a float's last digits may differ from machine to machine)."""

    def rounded(text: str) -> str:
        return _DECIMAL.sub(lambda number: f"{float(number.group()):.6g}", text)

    return rounded


@pytest.fixture(scope="session")
def load(module: Any) -> Callable[[str], Any]:
    """``load("step/input/name")``: a fresh copy of a captured value."""
    index = json.loads((FIXTURES / "index.json").read_text(encoding="utf-8"))

    def read(key: str) -> Any:
        entry = index[key]
        path = FIXTURES / entry["file"]
        kind = entry["kind"]
        if kind == "frame":
            import pandas as pd

            return pd.read_parquet(path)
        if kind == "series":
            import pandas as pd

            return pd.read_parquet(path).iloc[:, 0].rename(entry.get("name"))
        if kind == "array":
            import numpy as np

            return np.load(path, allow_pickle=False)
        if kind == "json":
            return _rebuild(json.loads(path.read_text(encoding="utf-8")), entry["tree"])
        with open(path, "rb") as handle:  # kind == "pickle": nothing else kept it whole
            return pickle.load(handle)  # noqa: S301 - a fixture written by harden scaffold

    return read


def _rebuild(value: Any, tree: Any) -> Any:
    if isinstance(tree, dict):
        items = tree["items"]
        if tree["t"] == "dict":
            return {key: _rebuild(value[key], items[key]) for key in value}
        rebuilt = [_rebuild(item, kind) for item, kind in zip(value, items)]
        return tuple(rebuilt) if tree["t"] == "tuple" else rebuilt
    return value
