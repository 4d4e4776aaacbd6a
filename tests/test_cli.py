"""The `harden` command: exit codes, bad input, output files, configuration."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from harden.cli import main


def _nb(
    path: Path,
    *sources: str,
    kernel: str = "python3",
    language: str = "python",
    counts: bool = True,
) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "language": language, "display_name": kernel}
    nb.cells.append(nbformat.v4.new_markdown_cell("# A title"))
    for number, source in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = number if counts else None
        nb.cells.append(cell)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BAD_INPUTS = {
    "invalid.ipynb": (b'{"cells": [', "invalid JSON at line 1"),
    "not_a_notebook.ipynb": (b'{"name": "package.json"}', "not a notebook"),
    "empty.ipynb": (b"", "empty file"),
    "v2.ipynb": (
        json.dumps({"nbformat": 2, "worksheets": []}).encode(),
        "nbformat 2 is not supported",
    ),
    "binary.ipynb": (b"\xff\xfe\x00garbage", "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_untouched(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, expected = BAD_INPUTS[name]
    bad = tmp_path / name
    bad.write_bytes(raw)
    good = _nb(tmp_path / "good.ipynb", "x = 1\nprint(x)")
    before = _digest(bad), _digest(good)
    code, out, err = _run(capsys, "lint", str(bad), str(good))
    assert code == 2
    assert "Traceback" not in out + err
    error_lines = [line for line in out.splitlines() if str(bad) in line and "error" in line]
    assert len(error_lines) == 1 and expected in error_lines[0]
    assert "1 could not be linted" in out or "could not" in out
    assert (_digest(bad), _digest(good)) == before


def test_nbformat_3_is_upgraded_and_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v3 = nbformat.v3.new_notebook(
        worksheets=[
            nbformat.v3.new_worksheet(
                cells=[
                    nbformat.v3.new_text_cell("markdown", source="# Old notebook"),
                    nbformat.v3.new_code_cell(input="x = 1\nprint(x)", prompt_number=1),
                ]
            )
        ]
    )
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.v3.writes_json(v3), encoding="utf-8")
    before = _digest(path)
    code, out, _ = _run(capsys, "lint", str(path), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["results"][0]["error"] is None
    assert _digest(path) == before


def test_missing_path_and_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _run(capsys, "lint", str(tmp_path / "nope.ipynb"), str(empty))
    assert code == 2
    assert "no such file" in out and "no notebooks" in out
    assert "Traceback" not in out + err


def test_folder_is_searched_recursively_skipping_checkpoints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub" / ".ipynb_checkpoints").mkdir(parents=True)
    _nb(tmp_path / "sub" / "a.ipynb", "x = 1\nprint(x)")
    (tmp_path / "sub" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{broken")
    code, out, _ = _run(capsys, "lint", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert [Path(r["path"]).name for r in data["results"]] == ["a.ipynb"]
    assert code == 0


def test_syntax_error_cell_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _nb(tmp_path / "broken.ipynb", "x = 1\nprint(x)", "def f(:\n    pass")
    code, out, err = _run(capsys, "lint", str(path), "--format", "json", "--select", "H209")
    findings = json.loads(out)["results"][0]["findings"]
    assert [(f["rule_id"], f["cell_index"], f["line"]) for f in findings] == [("H209", 2, 1)]
    assert code == 1
    assert "Traceback" not in err


def test_r_notebook_gets_one_finding_and_other_rules_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _nb(tmp_path / "r.ipynb", "library(ggplot2)\nx <- c(1, 2)", kernel="ir", language="R")
    code, out, _ = _run(capsys, "lint", str(path), "--format", "json")
    result = json.loads(out)["results"][0]
    assert [f["rule_id"] for f in result["findings"]] == ["H503"]
    assert code == 1


def test_output_file_is_written_and_stdout_stays_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _nb(tmp_path / "a.ipynb", "x = 1\nprint(x)")
    target = tmp_path / "reports" / "lint.sarif"
    code, out, _ = _run(capsys, "lint", str(path), "--format", "sarif", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_fail_on_and_select_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _nb(tmp_path / "a.ipynb", "x = 1", "y = 2", counts=False)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count, nb.cells[2].execution_count = 2, 1
    nbformat.write(nb, path)
    assert _run(capsys, "lint", str(path), "--select", "H001")[0] == 0  # warning < error
    assert _run(capsys, "lint", str(path), "--select", "H001", "--fail-on", "warning")[0] == 1
    assert (
        _run(
            capsys, "lint", str(path), "--select", "H001", "--ignore", "H001", "--fail-on", "info"
        )[0]
        == 0
    )


def test_pyproject_configuration_is_found_and_flags_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.harden]\npack = "strict"\nselect = ["H001"]\n')
    sub = tmp_path / "notebooks"
    sub.mkdir()
    path = _nb(sub / "a.ipynb", "x = 1", "y = 2", counts=False)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count, nb.cells[2].execution_count = 2, 1
    nbformat.write(nb, path)
    assert _run(capsys, "lint", str(path))[0] == 1  # strict fails on warnings
    assert _run(capsys, "lint", str(path), "--fail-on", "error")[0] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.harden]\nselcet = ["H001"]\n', "unknown key 'selcet'"),
        ('[tool.harden]\npack = "nosuchpack"\n', "unknown rule pack 'nosuchpack'"),
        ('[tool.harden]\nselect = ["H999"]\n', "no rule matches 'H999'"),
        ('[tool.harden]\nfail-on = "fatal"\n', "unknown severity"),
        ("[tool.harden.options.H001]\nthreshold = 3\n", "has no option 'threshold'"),
        ("[tool.harden\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_exit_2_with_message(
    tmp_path: Path, body: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(body)
    path = _nb(tmp_path / "a.ipynb", "x = 1\nprint(x)")
    code, _, err = _run(capsys, "lint", str(path))
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "lint")[0] == 2
    assert _run(capsys, "lint", "x.ipynb", "--format", "xml")[0] == 2
    assert _run(capsys, "frobnicate")[0] == 2


def test_rules_command_explains_a_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "rules", "H001")
    assert code == 0 and "out-of-order-execution" in out and "How to fix it" in out
    code, _, err = _run(capsys, "rules", "H999")
    assert code == 2 and "no rule" in err


def test_console_script_runs(tmp_path: Path) -> None:
    path = _nb(tmp_path / "a.ipynb", "x = 1\nprint(x)")
    done = subprocess.run(
        [sys.executable, "-m", "harden.cli", "lint", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    version = subprocess.run(["harden", "--version"], capture_output=True, text=True, check=False)
    assert version.stdout.startswith("harden ")


def test_help_and_version_do_not_import_heavy_packages() -> None:
    heavy = (
        "libcst",
        "papermill",
        "pandas",
        "nbclient",
        "nbconvert",
        "great_expectations",
        "black",
    )
    code = (
        "import sys\nfrom harden.cli import main\nmain(['--help'])\n"
        f"sys.stderr.write(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "lint" in done.stdout and "repro" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["bogus"],
            "harden: argument COMMAND: invalid choice: 'bogus' (choose from 'lint', 'rules', "
            "'extract', 'repro', 'expect', 'validate', 'scaffold', 'handoff', 'report')\n",
        ),
        (
            ["lint", "--format", "x", "a.ipynb"],
            "harden: lint: argument --format: invalid choice: 'x' "
            "(choose from 'text', 'json', 'sarif', 'junit')\n",
        ),
        (["lint"], "harden: lint: the following arguments are required: PATH\n"),
    ],
)
def test_usage_error_names_the_program_once(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, *argv)
    assert (code, out, err) == (2, "", expected)


def test_json_cell_number_and_related_cells_text_execution_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # cells: 1 markdown title, 2 reads `total` (In [1]), 3 defines it (In [2])
    path = _nb(tmp_path / "nb.ipynb", "print(total)", "total = 1")
    code, out, _ = _run(capsys, "lint", str(path), "--format", "json", "--select", "H002")
    (finding,) = json.loads(out)["results"][0]["findings"]
    assert (finding["cell_index"], finding["cell_number"], finding["related_cells"]) == (1, 2, [2])
    assert "only cell 3 further down defines it" in finding["message"]
    code, out, _ = _run(capsys, "lint", str(path), "--select", "H002")
    assert (
        out.splitlines()[0]
        == f"{path}  cell 2 [In 1], line 1, col 7  H002 use-before-define [error]"
    )
    unrun = _nb(tmp_path / "unrun.ipynb", "print(total)", "total = 1", counts=False)
    code, out, _ = _run(capsys, "lint", str(unrun), "--select", "H002")
    assert out.splitlines()[0].startswith(f"{unrun}  cell 2, line 1, col 7  H002")


def _noisy_notebook(tmp_path: Path) -> Path:
    """Six unseeded random draws, one per cell (cells 3-8): six H101 findings."""
    from tests.helpers import write_notebook

    cells = ["# Noisy", "import numpy as np"] + [f"x{i} = np.random.rand(3)" for i in range(6)]
    return write_notebook(tmp_path, *cells, name="noisy.ipynb")


def test_a_rules_repeats_are_collapsed_after_the_third(tmp_path, capsys) -> None:
    from harden.cli import main

    path = _noisy_notebook(tmp_path)
    main(["lint", str(path), "--select", "H101"])
    out = capsys.readouterr().out
    assert out.count("H101 unseeded-randomness [warning]") == 3
    assert "... and 3 more H101 unseeded-randomness in cells 6-8 (--show-all shows them)" in out
    assert "0 errors, 6 warnings" in out  # the summary still counts every finding

    main(["lint", str(path), "--select", "H101", "--show-all"])
    out = capsys.readouterr().out
    assert out.count("H101 unseeded-randomness [warning]") == 6
    assert "more H101" not in out


def test_statistics_count_findings_per_rule(tmp_path, capsys) -> None:
    from harden.cli import main

    path = _noisy_notebook(tmp_path)
    assert main(["lint", str(path), "--select", "H101,H204", "--statistics"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["6", "H101", "unseeded-randomness", "[warning]"]
    assert lines[1].split()[:2] == ["6", "H204"]

    main(["lint", str(path), "--select", "H101", "--statistics", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)["statistics"]
    assert rows == [
        {"rule_id": "H101", "name": "unseeded-randomness", "severity": "warning", "count": 6}
    ]

    assert main(["lint", str(path), "--statistics", "--format", "sarif"]) == 2
    assert "--statistics prints text or json" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "code", "said"),
    [
        (["repro"], 1, "kernel_died"),
        (["expect", "-o", "{out}"], 1, "the kernel died while running cell 3"),
        (["extract", "-o", "{out}", "--check"], 2, "the notebook itself does not run"),
        (["handoff", "-o", "{out}", "--no-mutate", "-q"], 1, "kernel died while running cell 3"),
    ],
)
def test_a_kernel_that_dies_is_reported_once_without_library_logs(
    tmp_path: Path, command: list[str], code: int, said: str
) -> None:
    """papermill logs "Kernel died while waiting for execute reply." at ERROR: every
    command reports the death itself, so that line must not reach the terminal."""
    notebook = _nb(tmp_path / "dies.ipynb", "x = 1", "import os\nos._exit(1)")
    argv = [arg.replace("{out}", str(tmp_path / "out")) for arg in command]
    completed = subprocess.run(
        [sys.executable, "-m", "harden.cli", argv[0], str(notebook), *argv[1:]],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "CI": "1"},
    )
    assert completed.returncode == code, completed.stderr
    assert "Kernel died while waiting" not in completed.stderr
    assert "Traceback" not in completed.stderr
    assert said in completed.stdout + completed.stderr
