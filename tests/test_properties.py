"""Keep it unbreakable: generated programs and damaged notebooks never crash harden.

* Random Python programs (hypothesmith, from CPython's grammar) split into
  cells, mixed with magics and junk cells: ``lint`` returns findings, never
  raises and never reports a rule crash, and ``extract`` either refuses with
  a one-line reason or produces a module that compiles.
* Real notebooks (the shipped examples) with random structural damage: lint
  never raises, and the CLI exits 2 with one line naming the file.

Hypothesis runs derandomized, so CI sees the same examples every time.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harden.config import Overrides, resolve
from harden.errors import HardenError
from harden.linter.engine import lint_path
from harden.linter.registry import all_rules
from harden.notebook import CellSpec, build_notebook

hypothesmith = pytest.importorskip("hypothesmith")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "notebooks" / "examples").glob("*.ipynb"))
SETTINGS = settings(
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MAGICS = [
    "%matplotlib inline",
    "!pip install pandas",
    "%%time\nx = 1",
    "%timeit sum(range(3))",
    "files = !ls",
    "%load_ext autoreload\n%autoreload 2",
    "%%bash\necho hi",
    "x?",
    "%cd /tmp",
    "%%capture cap\nprint(1)",
]
JUNK = ["", "\x00", "def (", "(" * 300, "'''", "\t\t", "# just a comment", "pass;;"]


@st.composite
def cell_sources(draw: st.DrawFn) -> list[str]:
    """A program cut into cells at line boundaries, with magics and junk cells between."""
    program = draw(hypothesmith.from_grammar())
    lines = program.split("\n")
    cuts = sorted(draw(st.sets(st.integers(0, max(len(lines) - 1, 0)), max_size=3)))
    pieces = ["\n".join(lines[a:b]) for a, b in zip([0, *cuts], [*cuts, len(lines)]) if a < b]
    extra = draw(st.lists(st.sampled_from(MAGICS + JUNK), max_size=3))
    cells = pieces + extra
    return draw(st.permutations(cells)) if draw(st.booleans()) else cells


def _write(tmp: Path, sources: list[str]) -> Path:
    node = build_notebook([CellSpec(source) for source in sources])
    path = tmp / "generated.ipynb"
    path.write_text(json.dumps(node))
    return path


@pytest.mark.slow
@settings(SETTINGS, max_examples=40)
@given(sources=cell_sources())
def test_generated_programs_never_crash_lint_and_extract_to_code_that_compiles(
    tmp_path_factory: pytest.TempPathFactory, sources: list[str]
) -> None:
    import harden

    path = _write(tmp_path_factory.mktemp("gen"), sources)
    config = resolve(path.parent, Overrides(select=["ALL"]))
    result = lint_path(path, config, all_rules())
    # A notebook error is allowed (e.g. code nested too deeply); a rule crash is a bug.
    assert result.error is None or type(result.error).__name__ != "RuleError", result.error
    try:
        extraction = harden.extract(path, allow_hidden_state=True, drop_magics=True)
    except HardenError as exc:
        assert "\n" not in exc.one_line()
    else:
        compile(extraction.source, "extracted.py", "exec")


def _damage(node: Any, rng: random.Random) -> Any:
    """One random structural change somewhere in a notebook's JSON."""
    paths: list[tuple[Any, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in list(value):
                paths.append((value, key))
                walk(value[key])
        elif isinstance(value, list):
            for index in range(len(value)):
                paths.append((value, index))
                walk(value[index])

    walk(node)
    container, key = rng.choice(paths)
    action = rng.choice(["delete", "none", "int", "string", "list", "dict", "huge"])
    if action == "delete":
        del container[key]
    else:
        container[key] = {
            "none": None,
            "int": rng.randint(-5, 10**6),
            "string": rng.choice(["", "x", "\u2028", "%%%"]),
            "list": [],
            "dict": {},
            "huge": "x" * 10_000,
        }[action]
    return node


@pytest.mark.slow
@settings(SETTINGS, max_examples=400)
@given(
    example=st.sampled_from(EXAMPLES),
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 4),
    truncate=st.booleans(),
)
def test_damaged_real_notebooks_never_crash_lint(
    tmp_path_factory: pytest.TempPathFactory,
    example: Path,
    seed: int,
    count: int,
    truncate: bool,
) -> None:
    rng = random.Random(seed)
    node = json.loads(example.read_text())
    for _ in range(count):
        node = _damage(node, rng)
    text = json.dumps(node)
    if truncate:
        text = text[: rng.randint(0, len(text))]
    path = tmp_path_factory.mktemp("damaged") / example.name
    path.write_text(text)
    config = resolve(path.parent, Overrides())
    result = lint_path(path, config, all_rules())
    assert result.error is None or type(result.error).__name__ != "RuleError", result.error
    if result.error is not None:
        assert "\n" not in result.error.one_line()


def test_the_cli_on_a_damaged_notebook_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harden.cli import main

    node = json.loads(EXAMPLES[0].read_text())
    node["cells"] = {"not": "a list"}
    path = tmp_path / "damaged.ipynb"
    path.write_text(json.dumps(node))
    assert main(["lint", str(path)]) == 2
    captured = capsys.readouterr()
    (line,) = [line for line in captured.out.splitlines() if "damaged.ipynb" in line]
    assert "error: malformed notebook" in line
    assert "Traceback" not in captured.out + captured.err
