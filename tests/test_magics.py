"""One table of magics: lint and extract agree on every magic, row by row.

Each case is a cell holding one magic.  What lint reports for it and what
extract does with it are both derived from :func:`harden.notebook.magics.role`,
so the two can never disagree again (``%watermark`` was "display-only, drop
it" for lint and a refusal for extract; ``!uv add`` an install for lint and a
refusal for extract).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import harden
from harden.errors import ExtractionError
from harden.notebook import magics
from harden.notebook.magics import CELL_MAGICS, LINE_MAGICS, Role
from tests.helpers import write_notebook

#: (cell source, expected role).  Every key of LINE_MAGICS and CELL_MAGICS appears
#: (checked below), with installers and shell lines in all their spellings.
CASES: list[tuple[str, Role]] = [
    *[
        (f"%{name}", role)
        for name, role in magics.LINE_MAGICS.items()
        if role not in (Role.PACKAGES, Role.TIMED, Role.SHELL, Role.DIRECTORY)
    ],
    *[(f"%{name} print(21 * 2)", Role.TIMED) for name in sorted(magics.PYTHON_LINE_MAGICS)],
    *[(f"%%{name}\nprint(21 * 2)", Role.PYTHON) for name in sorted(magics.PYTHON_BODY_CELL_MAGICS)],
    *[
        (f"%%{name}\n<b>hi</b>", Role.DISPLAY)
        for name, role in magics.CELL_MAGICS.items()
        if role is Role.DISPLAY
    ],
    *[
        (f"%%{name}\nls", Role.SHELL)
        for name, role in magics.CELL_MAGICS.items()
        if role is Role.SHELL
    ],
    ("%%script bash\nls", Role.SHELL),
    ("%load_ext watermark", Role.DISPLAY),
    ("%load_ext autoreload", Role.DISPLAY),
    ("%reload_ext line_profiler", Role.DISPLAY),
    ("%load_ext sql", Role.SESSION),
    ("%cd data", Role.DIRECTORY),
    ("%pushd data", Role.DIRECTORY),
    ("%popd", Role.DIRECTORY),
    ("%pip install pandas", Role.PACKAGES),
    ("%conda install -y -c conda-forge numpy", Role.PACKAGES),
    ("%mamba install scipy", Role.PACKAGES),
    ("%micromamba install scipy", Role.PACKAGES),
    ("%uv pip install pandas", Role.PACKAGES),
    ("%uv add pandas", Role.PACKAGES),
    ("!pip install pandas==2.2", Role.SHELL),
    ("!pip3 install -q pandas", Role.SHELL),
    ("!python -m pip install pandas", Role.SHELL),
    ("!uv add pandas", Role.SHELL),
    ("!uv pip install pandas", Role.SHELL),
    ("!conda install -y numpy", Role.SHELL),
    ("!micromamba install -y numpy", Role.SHELL),
    ("%system pip install pandas", Role.SHELL),
    ("!ls -la", Role.SHELL),
    ("!head -n 3 data.csv | wc -l", Role.SHELL),
    ("!ls -la > listing.txt", Role.SHELL),
    ("!mkdir -p out", Role.SHELL),
    ("files = !ls data", Role.SHELL),
    ("%run helpers.py", Role.OTHER),
    ("%store model", Role.OTHER),
    ("%env SEED=1", Role.OTHER),
    ("%%writefile util.py\ndef f():\n    pass", Role.OTHER),
]
#: Lines whose shell command installs Python packages.
PYTHON_INSTALLS = {
    source
    for source, _ in CASES
    if magics.install_specs(source.lstrip("%!").removeprefix("system ")) is not None
}


def test_every_magic_of_the_table_has_a_case() -> None:
    sources = {source.split()[0].lstrip("%") for source, _ in CASES}
    assert set(magics.LINE_MAGICS) <= sources | {"system", "sx", "uv", "conda", "mamba"}
    assert set(magics.CELL_MAGICS) <= sources


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0].split("\n")[0] for c in CASES])
def test_lint_and_extract_agree(tmp_path: Path, source: str, expected: Role) -> None:
    path = write_notebook(tmp_path, "# Title", source, "y = 2\nprint(y)")
    findings = [
        f for f in harden.lint(path, select=["H1"]).results[0].findings if f.cell_index == 1
    ]
    rules = {(f.rule_id, f.severity.name.lower()) for f in findings}
    try:
        extraction = harden.extract(path)
    except ExtractionError as exc:
        refused: str | None = exc.problem
        kinds: set[str] = set()
        requirements: tuple[str, ...] = ()
        module = ""
    else:
        refused = None
        kinds = {entry.kind for entry in extraction.log if entry.cell_index == 1}
        requirements = extraction.requirements
        module = extraction.source

    installs = source in PYTHON_INSTALLS
    shows_only = source.startswith("!") and magics.inspects(source[1:])
    if shows_only:
        # lint: "only shows output; drop it"; extract drops it.
        assert rules == {("H105", "info")}, rules
        assert refused is None and "dropped" in kinds
    elif expected in (Role.DISPLAY, Role.TIMED, Role.PYTHON):
        # lint: "only affects the interactive session; drop it"; extract obeys.
        assert rules == {("H105", "info")}, rules
        assert refused is None
        if expected is Role.DISPLAY:
            assert "dropped" in kinds
        else:  # the statement or body runs: it is kept
            assert "21 * 2" in module
    elif expected is Role.SESSION:
        assert rules == {("H105", "warning")}, rules
        assert refused is None and "dropped" in kinds
    elif installs:
        # lint: an install; extract: a requirement, never a refusal.
        assert ("H104", "warning") in rules or ("H104", "error") in rules, rules
        assert refused is None and "requirement" in kinds
        assert requirements, source
    elif expected is Role.DIRECTORY:
        assert {r for r, _ in rules} == {"H106"}
        assert refused is not None
    else:  # shell commands and magics with no Python equivalent
        assert {r for r, _ in rules} <= {"H105", "H103", "H104"} and rules, rules
        assert ("H105", "info") not in rules
        assert refused is not None


def test_contradictions_resolved_for_the_user(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "# Title",
        "%load_ext watermark\n%watermark -v",
        "!uv add pandas scikit-learn",
        "import pandas as pd\nprint(pd)",
    )
    extraction = harden.extract(path)
    assert extraction.requirements == ("pandas", "scikit-learn")
    dropped = [e for e in extraction.log if e.kind == "dropped" and e.cell_index == 1]
    assert len(dropped) == 2


@pytest.mark.parametrize(
    ("command", "specs"),
    [
        ("pip install pandas==2.2 'numpy<2'", ["pandas==2.2", "numpy<2"]),
        ("pip install -q -U --index-url https://x.org/simple pandas", ["pandas"]),
        ("python -m pip install -r requirements.txt", ["-r requirements.txt"]),
        ("{sys.executable} -m pip install seaborn", ["seaborn"]),
        ("conda install -y -c conda-forge lightgbm", ["lightgbm"]),
        ("mamba install -n base xgboost", ["xgboost"]),
        ("uv add polars", ["polars"]),
        ("uv pip install polars", ["polars"]),
        ("pip install tqdm && ls", ["tqdm"]),
        ("pip list", None),
        ("uv sync", None),
        ("apt-get install -y graphviz", None),
        ("ls -la", None),
    ],
)
def test_install_specs(command: str, specs: list[str] | None) -> None:
    assert magics.install_specs(command) == specs


def test_every_python_magic_says_whether_its_body_binds() -> None:
    python = {n for n, r in LINE_MAGICS.items() if r is Role.TIMED} | {
        n for n, r in CELL_MAGICS.items() if r is Role.PYTHON
    }
    assert python == magics.BINDING_BODY_MAGICS | magics.READ_ONLY_BODY_MAGICS
    assert not magics.BINDING_BODY_MAGICS & magics.READ_ONLY_BODY_MAGICS
    assert magics.body_binds("time") and not magics.body_binds("timeit")


def test_timeit_body_is_read_only_time_body_binds(tmp_path: Path) -> None:
    from harden.analysis import analyze
    from harden.notebook.load import load

    path = write_notebook(
        tmp_path, "x = 1", "%timeit y = x * 2", "%time z = x + 1", "%%timeit\nw = x"
    )
    cells = analyze(load(path)).cells
    assert [sorted(b.name for b in c.bindings) for c in cells[1:]] == [[], ["z"], []]
    assert [sorted(r.name for r in c.reads) for c in cells[1:]] == [["x"], ["x"], ["x"]]
    assert not cells[1].calls and not cells[3].calls
