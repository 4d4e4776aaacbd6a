"""The shipped example notebooks produce exactly the findings they were written to show.

`notebooks/examples/expected_findings.json` is the contract: for every example,
the (rule, cell) pairs lint must report under the default pack, nothing more and
nothing less.  The tidy example must produce none.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from harden.config import Overrides, resolve
from harden.linter.engine import lint_path
from harden.linter.registry import all_rules

EXAMPLES = Path(__file__).parents[1] / "notebooks" / "examples"
EXPECTED = json.loads((EXAMPLES / "expected_findings.json").read_text())
NOTEBOOKS = sorted(EXPECTED["findings"])


def _pairs(raw: list[list[object]]) -> list[tuple[str, int | None]]:
    return sorted(
        ((str(r), c if c is None else int(c)) for r, c in raw),
        key=lambda p: (p[0], -1 if p[1] is None else p[1]),
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_example_produces_exactly_the_expected_findings(name: str) -> None:
    path = EXAMPLES / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = lint_path(path, resolve(EXAMPLES, Overrides(pack="default")), all_rules())
    assert result.error is None, result.error
    got = _pairs([[f.rule_id, f.cell_index] for f in result.findings])
    assert got == _pairs(EXPECTED["findings"][name])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_every_example_is_listed_and_every_rule_is_shown() -> None:
    on_disk = {p.name for p in EXAMPLES.glob("*.ipynb")}
    assert on_disk == set(EXPECTED["findings"])
    shown = {rule for pairs in EXPECTED["findings"].values() for rule, _ in pairs}
    assert shown >= {rule.id for rule in all_rules(include_plugins=False)}


def test_a_tidy_example_lints_clean() -> None:
    clean = [name for name, pairs in EXPECTED["findings"].items() if not pairs]
    assert clean, "at least one example must lint clean under the default pack"


def test_parallel_lint_gives_the_same_results_in_input_order() -> None:
    from harden.config import Overrides
    from harden.linter.engine import lint_paths

    serial = lint_paths([EXAMPLES], Overrides(pack="default"), jobs=1)
    parallel = lint_paths([EXAMPLES], Overrides(pack="default"), jobs=2)
    assert len(serial.results) >= 8
    assert parallel.results == serial.results
