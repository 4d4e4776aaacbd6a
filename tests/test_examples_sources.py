"""The example notebooks are built from the percent sources in notebooks/examples/src."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harden.discover import discover

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
SOURCES = EXAMPLES / "src"


def test_every_example_has_one_percent_source() -> None:
    notebooks = sorted(p.stem for p in EXAMPLES.glob("*.ipynb"))
    sources = sorted(p.stem for p in SOURCES.iterdir() if p.suffix in {".py", ".R"})
    assert notebooks == sources


def test_walking_the_examples_folder_finds_notebooks_only() -> None:
    found = discover([EXAMPLES])
    assert {t.path.suffix for t in found} == {".ipynb"}
    assert len(found) == len(list(EXAMPLES.glob("*.ipynb")))


def test_rebuilding_from_the_sources_changes_no_file() -> None:
    """Sources, data generators and docs agree with the committed files byte for byte.

    ``--check`` reuses the stored outputs (no kernel), so everything but the
    outputs themselves is compared.
    """
    for module in ("jupytext", "pandas", "numpy", "sklearn"):
        pytest.importorskip(module)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_examples.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_deleted_holidays_cell_lists_the_holidays_in_the_sales_data() -> None:
    """sales_forecast_messy's deleted cell and tools/example_data.py share one list."""
    pytest.importorskip("jupytext")
    pytest.importorskip("pandas")
    import ast
    import importlib.util

    import jupytext

    spec = importlib.util.spec_from_file_location(
        "example_data", ROOT / "tools" / "example_data.py"
    )
    assert spec is not None and spec.loader is not None
    data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data)
    nb = jupytext.read(SOURCES / "sales_forecast_messy.py")
    cell = next(c for c in nb.cells if c.metadata.get("key") == "holidays")
    call = ast.parse(cell.source).body[0].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == data.SALES_HOLIDAYS
