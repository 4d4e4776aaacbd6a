"""The runner: parameters, kernel choice, input hashes, the capture seam, and real runs.

Kernel runs are marked ``slow`` and share one run per case through module
fixtures.  Every test checks that the input notebooks are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import nbformat
import pytest

from harden.errors import UsageError
from harden.notebook import load
from harden.run.capture import Capture, Injection, capture_source, check_against
from harden.run.facts import notebook_facts
from harden.run.inputs import changed_inputs, hash_inputs, stored_hashes
from harden.run.kernels import choose_kernel
from harden.run.params import (
    NOT_LITERAL,
    ParameterArg,
    load_parameter_file,
    parse_cli_parameter,
    resolve_parameters,
)
from harden.run.runner import RunOptions, run_notebook

DATA = Path(__file__).parent / "data" / "repro"


pytestmark = pytest.mark.usefixtures("repro_inputs_untouched", "quiet_papermill")


# ------------------------------------------------------------------ parameters

DEFAULTS = {
    "n": 3,
    "rate": 0.5,
    "greeting": "hello",
    "flag": False,
    "items": [1],
    "path": NOT_LITERAL,
}


def test_cli_values_are_yaml_and_take_the_type_of_their_default():
    given = [
        parse_cli_parameter(name, text)
        for name, text in [
            ("n", "5"),
            ("rate", "1"),
            ("greeting", "007"),
            ("flag", "true"),
            ("items", "[1, 2]"),
            ("path", "data/x.csv"),
        ]
    ]
    assert resolve_parameters(given, DEFAULTS) == {
        "n": 5,
        "rate": 1.0,
        "greeting": "007",
        "flag": True,
        "items": [1, 2],
        "path": "data/x.csv",
    }


def test_a_value_that_cannot_take_the_defaults_type_is_a_usage_error():
    with pytest.raises(
        UsageError, match=r"parameter 'n' expects an integer like its default 3, got 'many'"
    ):
        resolve_parameters([parse_cli_parameter("n", "many")], DEFAULTS)
    with pytest.raises(UsageError, match="expects true or false"):
        resolve_parameters([parse_cli_parameter("flag", "2")], DEFAULTS)


def test_unknown_parameter_suggests_the_closest_name():
    with pytest.raises(UsageError) as caught:
        resolve_parameters([parse_cli_parameter("greting", "hi")], DEFAULTS, "nb.ipynb")
    message = caught.value.one_line()
    assert "unknown parameter 'greting'; did you mean 'greeting'?" in message
    assert message.startswith("nb.ipynb: ")


def test_parameters_need_a_parameters_cell():
    with pytest.raises(UsageError, match="no cell tagged 'parameters'"):
        resolve_parameters([ParameterArg("n", 1)], None)
    assert resolve_parameters([], None) == {}


def test_parameter_file_is_a_yaml_mapping(tmp_path):
    good = tmp_path / "params.yaml"
    good.write_text("n: 7\ngreeting: hi\n")
    assert resolve_parameters(load_parameter_file(good), DEFAULTS) == {"n": 7, "greeting": "hi"}
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(UsageError, match="mapping"):
        load_parameter_file(tmp_path / "list.yaml")
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    with pytest.raises(UsageError, match="invalid YAML"):
        load_parameter_file(tmp_path / "bad.yaml")


def test_facts_read_the_parameters_cell_and_literal_paths():
    facts = notebook_facts(load(DATA / "parameters.ipynb"))
    assert facts.parameter_defaults == {"n": 3, "greeting": "hello", "rate": 0.5, "label": "run"}
    assert "data_file.csv" in notebook_facts(load(DATA / "data_file.ipynb")).input_candidates


# ------------------------------------------------------------------ kernels, inputs, capture values

INSTALLED = {
    "python3": {"argv": ["python", "-m", "ipykernel_launcher"], "language": "python"},
    "ir": {"argv": ["R", "--slave"], "language": "R"},
}


def test_kernel_choice():
    own = choose_kernel("python3", "python", installed=INSTALLED)
    assert (own.name, own.warning, own.error) == ("python3", None, None)
    assert own.extra_arguments == ("--IPKernelApp.log_level=ERROR",)
    fallback = choose_kernel("conda-root-py", "python", installed=INSTALLED)
    assert fallback.name == "python3" and "conda-root-py" in fallback.warning
    same_language = choose_kernel("ir-4.2", "R", installed=INSTALLED)
    assert same_language.name == "ir" and same_language.extra_arguments == ()
    assert (
        "no installed kernel runs julia"
        in choose_kernel("julia-1.9", "julia", installed=INSTALLED).error
    )
    requested = choose_kernel("python3", "python", requested="nope", installed=INSTALLED)
    assert (
        requested.name is None
        and "'nope' is not installed (installed kernels: ir, python3)" in requested.error
    )


def test_inputs_are_hashed_only_inside_the_working_directory(tmp_path):
    (tmp_path / "data.csv").write_text("a\n1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.csv").write_text("b\n")
    outside = tmp_path.parent / "outside-harden-test.csv"
    hashed = hash_inputs(
        [
            "data.csv",
            "./sub/more.csv",
            str(outside),
            "missing.csv",
            "https://example.com/x.csv",
            "sub",
        ],
        tmp_path,
    )
    assert [item.path for item in hashed] == ["data.csv", "sub/more.csv"]
    assert hashed[0].sha256 == hashlib.sha256(b"a\n1\n").hexdigest()


def test_stored_hashes_and_changes():
    meta = {"harden": {"inputs": {"a.csv": {"sha256": "AB"}, "b.csv": "sha256:cd", "c.csv": 3}}}
    assert stored_hashes(meta) == {"a.csv": "ab", "b.csv": "cd"}
    (change,) = changed_inputs({"a.csv": "ab"}, hash_inputs([], Path(".")), "notebook metadata")
    assert (
        change.describe() == "data file a.csv is missing (it existed when the notebook was saved)"
    )


def test_capture_and_injection_values_are_checked():
    with pytest.raises(UsageError, match="exactly one"):
        Capture("df")
    with pytest.raises(UsageError, match="exactly one"):
        Injection("x = 1", after_cell=1, before_cell=2)
    with pytest.raises(UsageError, match="format"):
        Capture("df", after_cell=1, format="xlsx")
    with pytest.raises(UsageError, match="has 3 cells"):
        check_against(3, [Injection("pass", after_cell=3)], [])
    with pytest.raises(UsageError, match="same file"):
        check_against(3, [], [Capture("df", after_cell=1), Capture("df", after_cell=1)])
    source = capture_source([Capture("df['a']", after_cell=2)], Path("/tmp/x"))
    compile(source, "<capture>", "exec")
    assert Capture("df['a']", after_cell=2).file_label == "df_a-after-2"


def test_output_must_not_be_the_input(tmp_path):
    with pytest.raises(UsageError, match="overwrite the input"):
        run_notebook(DATA / "reproduces.ipynb", RunOptions(output_dir=DATA))


def test_unknown_parameter_raises_before_any_kernel_starts():
    with pytest.raises(UsageError, match="did you mean 'rate'"):
        run_notebook(DATA / "parameters.ipynb", RunOptions(parameters={"rat": 1}))


# ------------------------------------------------------------------ real runs


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    out = tmp_path_factory.mktemp("capture")
    options = RunOptions(
        output_dir=out,
        injections=(
            Injection(
                "import pandas as pd\nframe = pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})",
                after_cell=1,
                label="make frame",
            ),
            Injection("print('injected before cell 4')", before_cell=3),
            Injection(
                "print(sorted(n for n in globals() if n.startswith('_harden')))", after_cell=3
            ),
        ),
        captures=(
            Capture("summary", after_cell=1),
            Capture("frame", after_cell=1),
            Capture("pairs", after_cell=2),
            Capture("fn", after_cell=2),
            Capture("undefined_name", after_cell=2),
            Capture("__import__('os').getcwd()", after_cell=3, label="cwd", format="json"),
        ),
    )
    return run_notebook(DATA / "capture.ipynb", options)


@pytest.mark.slow
def test_capture_seam_saves_values_and_reports_failures(captured):
    assert captured.status == "completed", captured.message
    by_name = {c.name: c for c in captured.captures}
    assert by_name["summary"].format == "json"
    assert json.loads(Path(by_name["summary"].path).read_text()) == {"rows": 3, "name": "demo"}
    frame = by_name["frame"]
    assert frame.type_name == "pandas.DataFrame" and frame.format in ("parquet", "pickle")
    if frame.format == "pickle":
        assert pickle.loads(Path(frame.path).read_bytes())["b"].tolist() == ["x", "y"]
    assert pickle.loads(Path(by_name["pairs"].path).read_bytes()) == [(1, "a"), (2, "b")]
    assert not by_name["fn"].ok and "cannot save as pickle" in by_name["fn"].error
    assert "cannot evaluate undefined_name: NameError" in by_name["undefined_name"].error
    assert json.loads(Path(by_name["__import__('os').getcwd()"].path).read_text()) == str(DATA)


@pytest.mark.slow
def test_injected_cells_are_mapped_out_and_leave_no_names(captured):
    original = load(DATA / "capture.ipynb")
    assert [c.index for c in captured.cells] == [c.index for c in original.cells]
    assert captured.cell(3).outputs[0]["text"] == "2\n"
    executed = nbformat.read(captured.output_path, as_version=4)
    texts = ["".join(o.get("text", "")) for c in executed.cells for o in c.get("outputs", [])]
    assert "injected before cell 4\n" in texts and "[]\n" in texts
    assert len(captured.notebook.cells) == len(original.cells)


@pytest.mark.slow
def test_parameters_are_converted_and_visible(tmp_path):
    result = run_notebook(
        DATA / "parameters.ipynb",
        RunOptions(
            output_dir=tmp_path,
            parameters=(parse_cli_parameter("n", "5"), parse_cli_parameter("rate", "2")),
        ),
    )
    assert result.status == "completed"
    assert result.parameters == {"n": 5, "rate": 2.0}
    assert result.cell(2).outputs[0]["text"] == "hello 10 2.0 run\n"
    assert len(result.cells) == len(load(DATA / "parameters.ipynb").cells)


@pytest.mark.slow
def test_cell_error_maps_out_papermills_banner_cells(tmp_path):
    result = run_notebook(DATA / "raises.ipynb", RunOptions(output_dir=tmp_path))
    assert result.status == "error"
    assert result.stopped_at == 2 and result.error.ename == "KeyError"
    assert result.message == "cell 3 raised KeyError: 'b'; 1 later code cell(s) did not run"
    assert not result.cell(3).executed
    executed = nbformat.read(result.output_path, as_version=4)
    assert len(executed.cells) == len(result.cells) + 2  # papermill's two banner cells


@pytest.mark.slow
def test_expected_error_cells_let_the_run_continue(tmp_path):
    result = run_notebook(
        DATA / "raises.ipynb", RunOptions(output_dir=tmp_path, expected_error_cells=frozenset({2}))
    )
    assert result.status == "completed"
    assert result.cell(2).error.ename == "KeyError"
    assert result.cell(3).outputs[0]["text"] == "after\n"


@pytest.mark.slow
def test_notebook_time_limit(tmp_path):
    # The limit counts the kernel's start too: 6 s leaves room for a start on a
    # loaded machine (2 s did not, and the run then stopped before its first cell).
    result = run_notebook(
        DATA / "sleeps.ipynb", RunOptions(output_dir=tmp_path, notebook_timeout=6)
    )
    assert result.status == "timeout"
    assert (
        result.message
        == "the notebook did not finish within its time limit of 6 s (stopped in cell 2)"
    )
    assert result.duration < 30


@pytest.mark.slow
def test_kernel_death_is_a_result(tmp_path):
    result = run_notebook(DATA / "kernel_dies.ipynb", RunOptions(output_dir=tmp_path))
    assert result.status == "kernel_died"
    assert result.stopped_at == 2
    assert (
        "the kernel died while running cell 3 (the kernel process exited with code 1)"
        in result.message
    )
    assert result.cell(1).outputs[0]["text"] == "before\n"


@pytest.mark.slow
def test_missing_requested_kernel_is_a_result(tmp_path):
    result = run_notebook(
        DATA / "reproduces.ipynb", RunOptions(output_dir=tmp_path, kernel="no-such-kernel")
    )
    assert result.status == "not_started"
    assert "'no-such-kernel' is not installed" in result.message


@pytest.mark.slow
def test_a_kernel_that_loses_the_port_race_is_started_again(monkeypatch):
    """Two kernels starting at once can pick the same free port; the loser dies
    before replying.  That is not the notebook's fault: start it again."""
    import papermill

    from harden.run import execute

    real_manager, real_execute = execute.kernel_manager, papermill.execute_notebook
    logs: list = []
    attempts: list[int] = []

    def manager(name, cwd, log_file, env=None):
        logs.append(log_file)
        return real_manager(name, cwd, log_file, env)

    def flaky_execute(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            logs[-1].write(
                b"zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:1')\n"
            )
            logs[-1].flush()
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(execute, "kernel_manager", manager)
    monkeypatch.setattr(papermill, "execute_notebook", flaky_execute)
    result = run_notebook(load(DATA / "reproduces.ipynb"), RunOptions())
    assert len(attempts) == 2
    assert result.ok, result.message
