"""``harden repro``: verdicts, causes, reports, the CLI and the parallel batch.

One module fixture runs the purpose-built notebooks once, in parallel
(``jobs=2``); most tests read that batch.  Every test checks that the input
notebooks and data files are byte-identical afterwards.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import nbformat
import numpy
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from harden.cli import main
from harden.notebook import from_node
from harden.reproducer.batch import repro_paths, run_batch
from harden.reproducer.causes import failure_causes, written_with
from harden.reproducer.redact import redact_result
from harden.reproducer.report import JSON_SCHEMA, render
from harden.reproducer.repro import ReproOptions, ReproResult, repro_notebook
from harden.run.facts import NotebookFacts, notebook_facts
from harden.run.runner import CellError, RunOptions

DATA = Path(__file__).parent / "data" / "repro"
DOCS = Path(__file__).parent.parent / "docs" / "repro.md"
BATCH = [
    "reproduces",
    "float_noise",
    "memory_address",
    "timestamp",
    "unseeded_random",
    "edited_output",
    "raises",
    "expected_error",
    "changed_error",
    "kernel_dies",
    "sys_exit",
    "parameters",
    "data_file",
    "missing_kernel",
    "missing_module",
    "drift",
    "hidden_state",
    "capture",
    "cleared",
    "numpy_reprs",
]
EXPECTED = {
    "reproduces": "reproduced",
    "float_noise": "reproduced",
    "memory_address": "reproduced",
    "timestamp": "reproduced",
    "expected_error": "reproduced",
    "parameters": "reproduced",
    "missing_kernel": "reproduced",
    "capture": "reproduced",
    "unseeded_random": "differs",
    "edited_output": "differs",
    "data_file": "differs",
    "raises": "failed",
    "sys_exit": "failed",
    "missing_module": "failed",
    "drift": "failed",
    "hidden_state": "failed",
    "changed_error": "failed",
    "kernel_dies": "kernel_died",
    "cleared": "executed",
    "numpy_reprs": "reproduced",
}


pytestmark = pytest.mark.usefixtures("repro_inputs_untouched", "quiet_papermill")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict[str, ReproResult]:
    seen: list[tuple[int, int]] = []
    options = ReproOptions(run=RunOptions(timeout=60, output_dir=tmp_path_factory.mktemp("batch")))
    results = repro_paths(
        [DATA / f"{name}.ipynb" for name in BATCH],
        options,
        jobs=2,
        progress=lambda done, total, result: seen.append((done, total)),
    )
    assert [Path(r.path).stem for r in results] == BATCH  # input order, whatever finished first
    assert sorted(seen) == [(i, len(BATCH)) for i in range(1, len(BATCH) + 1)]
    return {Path(r.path).stem: r for r in results}


@pytest.mark.slow
def test_every_notebook_gets_its_verdict(batch):
    assert {name: result.status for name, result in batch.items()} == EXPECTED


@pytest.mark.slow
def test_a_notebook_saved_without_outputs_is_executed_not_differs(batch):
    result = batch["cleared"]
    assert result.ok
    assert [c.status for c in result.cells] == ["executed"] * 3
    assert result.message == (
        "ran 3 code cell(s) without error; the notebook stores no outputs, "
        "so there was nothing to compare"
    )


@pytest.mark.slow
def test_numpy1_outputs_reproduce_under_numpy2_and_the_verdict_says_so(batch):
    result = batch["numpy_reprs"]
    assert result.message == (
        "every cell reproduces its stored output, after: numpy-2 scalar reprs ×2"
    )
    assert dict(result.normalized) == {"numpy2-scalar-repr": 2}
    assert [c.normalized for c in result.cells] == [("numpy2-scalar-repr",)] * 2


def test_require_outputs_makes_executed_a_failure():
    executed = ReproResult("nb.ipynb", "executed", "ran; nothing to compare")
    required = ReproResult("nb.ipynb", "executed", "ran", outputs_required=True)
    assert executed.ok and not required.ok
    root = ET.fromstring(render([executed, required], "junit"))
    assert root.get("failures") == "1"
    document = json.loads(render([executed, required], "json"))
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["summary"]["executed"] == 2


@pytest.mark.slow
def test_differs_shows_the_diff(batch):
    result = batch["edited_output"]
    assert result.message == "1 cell(s) differ from the stored outputs (cell 2)"
    (cell,) = result.problem_cells
    assert cell.cell_index == 1 and cell.status == "differs"
    text = render([result])
    assert "- 46" in text and "+ 45" in text


@pytest.mark.slow
def test_normalisers_and_tolerance_absorb_legitimate_changes(batch):
    for name in ("float_noise", "memory_address", "timestamp"):
        assert all(c.status in ("same", "info") for c in batch[name].cells), name


@pytest.mark.slow
def test_expected_errors_count_as_reproduced_and_the_run_continues(batch):
    statuses = [(c.cell_index, c.status) for c in batch["expected_error"].cells]
    assert statuses == [(1, "expected-error"), (2, "expected-error"), (3, "same")]


@pytest.mark.slow
def test_an_error_of_another_class_than_stored_fails_but_the_run_continues(batch):
    result = batch["changed_error"]
    assert result.message == "cell 2 raised KeyError: 'b' (the stored output has ZeroDivisionError)"
    assert [(c.cell_index, c.status) for c in result.cells] == [(1, "failed"), (2, "same")]


@pytest.mark.slow
def test_failure_causes(batch):
    drift = batch["drift"].causes[0]
    assert drift.kind == "library-drift"
    assert drift.details["package"] == "numpy" and drift.details["installed"] == numpy.__version__
    assert drift.details["written_with"] == "1.26.4"
    missing = batch["missing_module"].causes[0]
    assert (missing.kind, missing.details["module"]) == (
        "missing-module",
        "harden_no_such_module_xyz",
    )
    assert batch["hidden_state"].causes[0].kind == "hidden-state"
    assert "'threshold'" in batch["hidden_state"].causes[0].message
    assert batch["sys_exit"].causes[0].kind == "sys-exit"
    assert batch["sys_exit"].failed_cell == 2
    raises = batch["raises"]
    assert raises.error.ename == "KeyError" and raises.failed_cell == 2
    assert "Cell In[" in render([raises])  # the notebook's own frame in the traceback


@pytest.mark.slow
def test_probable_causes_of_a_difference(batch):
    kinds = {c.kind for c in batch["data_file"].causes}
    assert "input-changed" in kinds
    assert "data file data_file.csv changed since the notebook was saved" in render(
        [batch["data_file"]]
    )
    assert "unseeded-random" in {c.kind for c in batch["unseeded_random"].causes}


@pytest.mark.slow
def test_kernel_fallback_and_death(batch):
    assert "'conda-root-py'" in batch["missing_kernel"].warnings[0]
    died = batch["kernel_dies"]
    assert died.failed_cell == 2 and "exited with code 1" in died.message


@pytest.mark.slow
def test_json_report_follows_its_schema(batch):
    document = json.loads(render(list(batch.values()), "json"))
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["summary"]["notebooks"] == len(BATCH)
    assert document["summary"]["reproduced"] == sum(s == "reproduced" for s in EXPECTED.values())
    edited = next(r for r in document["results"] if r["path"].endswith("edited_output.ipynb"))
    cell = next(c for c in edited["cells"] if c["cell_index"] == 1)
    assert (cell["status"], cell["diffs"][0]["expected"]) == ("differs", "46")


@pytest.mark.slow
def test_junit_has_one_case_per_notebook_with_the_diff(batch):
    root = ET.fromstring(render(list(batch.values()), "junit"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(BATCH)
    failing = sum(1 for s in EXPECTED.values() if s not in ("reproduced", "executed"))
    assert root.get("failures") == str(failing)
    edited = next(c for c in cases if c.get("name").endswith("edited_output.ipynb"))
    assert "+ 45" in edited.find("failure").text


def test_docs_describe_every_json_key():
    text = DOCS.read_text(encoding="utf-8")

    def keys(schema):
        for key, sub in schema.get("properties", {}).items():
            yield key
            yield from keys(sub.get("items", sub))

    missing = sorted({key for key in keys(JSON_SCHEMA) if f"`{key}`" not in text})
    assert not missing, f"docs/repro.md does not describe {missing}"


@pytest.mark.slow
def test_timeout_verdict(tmp_path):
    result = repro_notebook(
        DATA / "sleeps.ipynb", ReproOptions(run=RunOptions(timeout=1, output_dir=tmp_path))
    )
    assert result.status == "timeout"
    assert result.message == "cell 2 did not finish within the per-cell timeout of 1 s"


@pytest.mark.slow
def test_runs_two_finds_nondeterministic_cells(tmp_path):
    result = repro_notebook(
        DATA / "unseeded_random.ipynb", ReproOptions(run=RunOptions(output_dir=tmp_path), runs=2)
    )
    assert result.status == "nondeterministic"
    assert [(c.cell_index, c.status) for c in result.problem_cells] == [(2, "nondeterministic")]
    assert len(result.runs) == 2
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [
        "unseeded_random.run1.ipynb",
        "unseeded_random.run2.ipynb",
    ]


# ------------------------------------------------------------------ CLI


@pytest.mark.slow
def test_cli_exit_codes_and_json(tmp_path, capsys):
    report = tmp_path / "report.json"
    assert (
        main(["repro", str(DATA / "reproduces.ipynb"), "--format", "json", "-o", str(report)]) == 0
    )
    assert json.loads(report.read_text())["results"][0]["status"] == "reproduced"
    assert (
        main(
            ["repro", str(DATA / "parameters.ipynb"), "-p", "n", "5", "--output-dir", str(tmp_path)]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "+ hello 10 0.5 run" in out
    assert "the run set n=5; the stored outputs may come from other values" in out
    assert (tmp_path / "parameters.ipynb").exists()


def test_cli_usage_and_input_errors(tmp_path, capsys):
    assert main(["repro", str(DATA / "parameters.ipynb"), "-p", "greting", "hi"]) == 2
    assert "did you mean 'greeting'?" in capsys.readouterr().out
    assert main(["repro", str(DATA / "reproduces.ipynb"), "--runs", "0"]) == 2
    assert "--runs must be at least 1" in capsys.readouterr().err
    assert main(["repro", str(tmp_path / "nope.ipynb")]) == 2
    assert "nope.ipynb: failed - no such file or directory" in capsys.readouterr().out
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert main(["repro", str(tmp_path / "broken.ipynb"), "--format", "json"]) == 2
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["status"] == "failed" and "invalid JSON" in result["input_error"]


# ------------------------------------------------------------------ batch robustness


def _crash_on_raises(path: Path, options: ReproOptions) -> ReproResult:
    if path.stem == "raises":
        os._exit(3)
    return ReproResult(str(path), "reproduced", "fake")


def test_a_crashing_worker_is_a_result_not_a_batch_crash():
    paths = [
        DATA / "reproduces.ipynb",
        DATA / "raises.ipynb",
        DATA / "timestamp.ipynb",
        DATA / "capture.ipynb",
    ]
    results = run_batch(paths, ReproOptions(), jobs=2, progress=None, worker=_crash_on_raises)
    assert [Path(r.path).stem for r in results] == ["reproduces", "raises", "timestamp", "capture"]
    assert [r.status for r in results] == ["reproduced", "failed", "reproduced", "reproduced"]
    assert results[1].causes[0].kind == "worker-crash"


# ------------------------------------------------------------------ causes without a kernel


def _facts(*sources: str) -> tuple[NotebookFacts, object]:
    notebook = from_node(new_notebook(cells=[new_code_cell(s) for s in sources]), "x.ipynb")
    return notebook_facts(notebook), notebook.node


@pytest.mark.parametrize(
    ("error", "kind", "needle"),
    [
        (
            CellError("ModuleNotFoundError", "No module named 'sklearn.linear_model'"),
            "missing-module",
            "pip install scikit-learn",
        ),
        (
            CellError("URLError", "<urlopen error [Errno -2] Name or service not known>"),
            "network",
            "network access",
        ),
        (
            CellError("FileNotFoundError", "[Errno 2] No such file or directory: 'data/x.csv'"),
            "missing-data-file",
            "'data/x.csv' does not exist",
        ),
        (CellError("SystemExit", "0"), "sys-exit", "sys.exit(0)"),
    ],
)
def test_failure_cause_kinds(error, kind, needle):
    facts, node = _facts("print(1)")
    (cause,) = failure_causes(error, 0, node, facts)
    assert cause.kind == kind and needle in cause.message


def test_drift_names_the_package_from_the_traceback_and_the_version_written_with():
    facts, node = _facts("import pandas as pd\nprint(pd.__version__)", "pd.DataFrame().append({})")
    node.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1.5.3\n")]
    site = Path(numpy.__file__).parent.parent
    error = CellError(
        "AttributeError",
        "'DataFrame' object has no attribute 'append'",
        (
            "Cell In[2], line 1\n----> 1 pd.DataFrame().append({})",
            f"File {site}/pandas/core/generic.py:6321, in NDFrame.__getattr__(self, name)",
        ),
    )
    (cause,) = failure_causes(error, 1, node, facts)
    assert cause.kind == "library-drift" and cause.details["package"] == "pandas"
    assert cause.details["written_with"] == "1.5.3"
    assert "the notebook was written with pandas 1.5.3" in cause.message


SITE = Path(numpy.__file__).parent.parent


def test_an_exception_is_attributed_to_the_package_whose_frame_raised_it():
    facts, node = _facts("import matplotlib.pyplot as plt\nplt.style.use('seaborn-whitegrid')")
    node.metadata["language_info"] = {"name": "python", "version": "3.7.6"}
    error = CellError(
        "OSError",
        "'seaborn-whitegrid' is not a valid package style, path of style file, URL of style "
        "file, or library style name (library styles are listed in `style.available`)",
        (
            "Cell In[1], line 2\n----> 2 plt.style.use('seaborn-whitegrid')",
            f"File {SITE}/matplotlib/style/__init__.py:132, in use(style)",
        ),
    )
    (cause,) = failure_causes(error, 0, node, facts)
    assert cause.kind == "library-error" and cause.details["package"] == "matplotlib"
    assert cause.message.startswith("OSError raised inside matplotlib ")
    assert "saved with Python 3.7.6" in cause.message and "IPython" not in cause.message
    assert cause.message.endswith("(library styles are listed in `style.available`)")


def test_a_call_rejected_before_entering_the_library_names_the_class_package():
    facts, node = _facts(
        "import pandas as pd\ndata = pd.Series([1.0])", "data.fillna(method='ffill')"
    )
    error = CellError(
        "TypeError",
        "NDFrame.fillna() got an unexpected keyword argument 'method'",
        ("Cell In[2], line 1\n----> 1 data.fillna(method='ffill')",),
    )
    (cause,) = failure_causes(error, 1, node, facts)
    assert (cause.kind, cause.details["package"]) == ("library-drift", "pandas")


def test_a_missing_optional_module_is_a_missing_module_not_drift():
    facts, node = _facts("import pandas as pd\npd.read_html('x.html')")
    error = CellError(
        "ImportError",
        "`Import lxml` failed.  Use pip, conda, or your preferred package manager to install it.",
        (
            "Cell In[1], line 2\n----> 2 pd.read_html('x.html')",
            f"File {SITE}/pandas/compat/_optional.py:140, in import_optional_dependency(name)",
        ),
    )
    (cause,) = failure_causes(error, 0, node, facts)
    assert (cause.kind, cause.details["module"]) == ("missing-module", "lxml")
    assert cause.details["needed_by"] == "pandas" and "pip install lxml" in cause.message


def test_a_cause_message_starts_at_the_errors_first_line():
    facts, node = _facts("import sklearn")
    error = CellError(
        "ValueError",
        "\nAll the 10 fits failed.\nIt is very likely that your model is misconfigured.",
        (f"File {SITE}/sklearn/model_selection/_validation.py:528, in _warn_or_raise",),
    )
    (cause,) = failure_causes(error, 0, node, facts)
    assert cause.message.endswith(": All the 10 fits failed.") and "\n" not in cause.message


def test_a_magic_that_no_longer_parses_is_ipython_drift():
    facts, node = _facts(
        "import numpy as np",
        "%timeit np.fromiter((x for x in range(3)),\n        dtype=float, count=3)",
    )
    node.metadata["language_info"] = {"name": "python", "version": "3.5.1"}
    error = CellError("IndentationError", "unexpected indent (1428579131.py, line 2)")
    (cause,) = failure_causes(error, 1, node, facts)
    assert (cause.kind, cause.details["package"]) == ("library-drift", "IPython")
    assert "saved with Python 3.5.1" in cause.message
    (plain,) = failure_causes(error, 0, node, facts)
    assert plain.kind == "syntax"


def test_version_written_with_from_metadata():
    facts, node = _facts("import numpy")
    node.metadata["harden"] = {"versions": {"numpy": "1.21.0"}}
    assert written_with(node, "numpy", facts) == "1.21.0"


def test_an_error_from_the_notebooks_own_code_is_not_drift():
    facts, node = _facts("def f(x):\n    return x.missing", "f(1)")
    error = CellError(
        "AttributeError",
        "'int' object has no attribute 'missing'",
        ("Cell In[2], line 1\n----> 1 f(1)", "Cell In[1], line 2, in f(x)"),
    )
    assert failure_causes(error, 1, node, facts) == ()


def test_secrets_in_diffs_and_errors_are_redacted():
    from harden.reproducer.compare import OutputDiff
    from harden.reproducer.repro import CellResult

    token = "ghp_" + "A1b2C3d4" * 4 + "Zz9Y"
    stored, fresh = f"{{'token': '{token}'}}", "{'token': ''}"
    diff = OutputDiff(
        0, "stdout", stored, fresh, f"- {stored}\n+ {fresh}", "error", "stdout differs"
    )
    result = ReproResult(
        "nb.ipynb",
        "differs",
        "1 cell(s) differ",
        cells=(CellResult(1, None, "differs", (diff,)),),
        error=CellError("KeyError", f"'{token}'", (f"x = '{token}'",)),
    )
    for fmt in ("text", "json", "junit"):
        assert token not in render([redact_result(result)], fmt)
    assert "ghp_…(40 chars)" in render([redact_result(result)])


@pytest.mark.slow
def test_a_notebook_that_rewrites_its_input_is_nondeterministic_with_the_file_named(tmp_path):
    (tmp_path / "counter.txt").write_text("1")
    notebook = new_notebook(
        cells=[
            new_code_cell(
                "with open('counter.txt') as handle:\n    count = int(handle.read())\nprint(count)"
            ),
            new_code_cell(
                "with open('counter.txt', 'w') as handle:\n    handle.write(str(count + 1))"
            ),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, tmp_path / "counter.ipynb")
    result = repro_notebook(
        tmp_path / "counter.ipynb",
        ReproOptions(run=RunOptions(output_dir=tmp_path / "out"), runs=2),
    )
    assert result.status == "nondeterministic"
    assert result.runs[0].inputs[0].path == "counter.txt"
    assert any(
        c.kind == "input-changed" and "while the notebook ran" in c.message for c in result.causes
    )
