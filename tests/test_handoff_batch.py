"""``harden handoff DIR -o OUT``: a handoff per notebook, on the process pool and on Dask.

Every batch goes through the command line in a subprocess, as a user runs it.
The fast tests stop before any notebook runs (or hand off notebooks that are bad
input); the slow ones hand off two small examples with ``--no-mutate`` on
``--jobs 2``, on ``local:2`` and on a real scheduler with two workers.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from helpers import write_notebook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "notebooks" / "examples"
#: Two quick examples and the data they read.
NOTEBOOKS = ("demand_params.ipynb", "iris_exploration.ipynb")
DATA = ("sales.csv", "iris.csv")
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s",
    "CI": "1",
}


def _handoff(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harden.cli", "handoff", *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        check=False,
    )


def _one_line_error(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harden: "), completed.stderr
    return lines[0]


def _bad_inputs(folder: Path) -> Path:
    """A folder of two notebooks that are bad input: an R notebook, broken JSON."""
    folder.mkdir()
    r = nbformat.v4.new_notebook()
    r.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    r.metadata["language_info"] = {"name": "R"}
    r.cells.append(nbformat.v4.new_code_cell("x <- 1"))
    nbformat.write(r, folder / "a_r.ipynb")
    (folder / "sub").mkdir()
    (folder / "sub" / "b_broken.ipynb").write_text("{not json", encoding="utf-8")
    return folder


# -- fast ----------------------------------------------------------------------------------
def test_a_hand_edited_file_in_any_folder_is_refused_before_anything_runs(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks, "x = 1", name="first.ipynb")
    write_notebook(notebooks, "y = 2", name="second.ipynb")
    out = tmp_path / "out"
    (out / "second").mkdir(parents=True)
    (out / "second" / "README.md").write_text("my notes\n", encoding="utf-8")

    line = _one_line_error(_handoff(notebooks, "-o", out, "--no-mutate", "--jobs", "2"))
    assert "not overwriting second/README.md" in line and "--force" in line
    assert sorted(p.name for p in out.iterdir()) == ["second"]  # nothing ran, no index
    assert (out / "second" / "README.md").read_text(encoding="utf-8") == "my notes\n"


def test_a_folder_without_notebooks_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    line = _one_line_error(_handoff(tmp_path / "empty", "-o", tmp_path / "out"))
    assert "no notebooks" in line
    line = _one_line_error(
        _handoff(tmp_path / "missing", tmp_path / "empty", "-o", tmp_path / "out")
    )
    assert "no such file" in line
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks, "x = 1", name="one.ipynb")
    completed = _handoff(notebooks, "-o", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9")
    line = _one_line_error(completed)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in line


def test_results_stream_as_json_lines_then_a_summary_in_input_order(tmp_path):
    notebooks = _bad_inputs(tmp_path / "nbs")
    out = tmp_path / "out"
    completed = _handoff(notebooks, "-o", out, "--jobs", "2", "--format", "jsonl")
    assert completed.returncode == 2, completed.stderr  # bad input, as for one notebook
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(lines) == 3
    assert {line["name"]: line["verdict"] for line in lines[:2]} == {
        "a_r": "error",
        "sub/b_broken": "error",
    }
    assert all("\n" not in line["message"] and line["message"] for line in lines[:2])
    assert lines[2]["summary"] == {
        "notebooks": 2,
        "complete": 0,
        "incomplete": 0,
        "failed": 0,
        "worker_lost": 0,
        "error": 2,
    }
    summary = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [n["name"] for n in summary["notebooks"]] == ["a_r", "sub/b_broken"]
    assert "a_r.ipynb" in (out / "index.html").read_text(encoding="utf-8")


def test_the_index_is_rewritten_by_a_second_run_but_never_over_a_hand_edit(tmp_path):
    notebooks = _bad_inputs(tmp_path / "nbs")
    out = tmp_path / "out"
    for _ in range(2):  # harden's own index and summary are replaced without --force
        assert _handoff(notebooks, "-o", out, "--format", "json").returncode == 2
    index = out / "index.html"
    index.write_text(index.read_text(encoding="utf-8") + "<p>reviewed</p>", encoding="utf-8")
    line = _one_line_error(_handoff(notebooks, "-o", out))
    assert "not overwriting index.html" in line and "--force" in line
    assert index.read_text(encoding="utf-8").endswith("<p>reviewed</p>")
    completed = _handoff(notebooks, "-o", out, "--force", "--format", "json")
    assert completed.returncode == 2, completed.stderr
    assert "reviewed" not in index.read_text(encoding="utf-8")


def test_a_folder_over_the_ship_limit_is_a_one_line_error_and_nothing_is_sent(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks, "x = 1", name="one.ipynb")
    (notebooks / "data.bin").write_bytes(b"0" * 200_000)
    completed = _handoff(
        notebooks,
        "-o",
        tmp_path / "out",
        "--scheduler",
        "local:1",
        "--ship-folder",
        "--ship-limit",
        "0.1",
        "--format",
        "json",
    )
    assert completed.returncode == 2, completed.stderr
    (result,) = json.loads(completed.stdout)["notebooks"]
    assert result["verdict"] == "error"
    assert "over the limit of 0.1 MB (--ship-limit)" in result["message"]


@pytest.mark.slow
def test_an_output_folder_inside_the_shipped_folder_stays_home(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks, "x = 1\nprint(x)", name="one.ipynb")
    out = notebooks / "handoff"
    out.mkdir()
    (out / "earlier.bin").write_bytes(b"0" * 200_000)  # over the limit if it were sent
    completed = _handoff(
        notebooks,
        "-o",
        out,
        "--scheduler",
        "local:1",
        "--ship-folder",
        "--ship-limit",
        "0.1",
        "--no-mutate",
        "--format",
        "json",
    )
    (result,) = json.loads(completed.stdout)["notebooks"]
    assert result["verdict"] in ("complete", "incomplete"), result
    assert (out / "one" / "report.html").is_file()


def test_pack_leaves_out_the_folders_it_is_told_to(tmp_path):
    from harden.reproducer.remote import folder_size, pack

    (tmp_path / "data.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "out" / "one").mkdir(parents=True)
    (tmp_path / "out" / "one" / "big.bin").write_bytes(b"0" * 1000)
    with zipfile.ZipFile(io.BytesIO(pack(tmp_path, exclude=(tmp_path / "out",)))) as archive:
        assert archive.namelist() == ["data.csv"]
    assert folder_size(tmp_path, exclude=(tmp_path / "out",)) == 4
    assert folder_size(tmp_path) == 1004


def test_flags_that_need_one_form_or_the_other_are_usage_errors(tmp_path):
    notebooks = _bad_inputs(tmp_path / "nbs")
    out = tmp_path / "out"
    assert "--package" in _one_line_error(_handoff(notebooks, "-o", out, "--package", "p"))
    assert "--ship-folder needs --scheduler" in _one_line_error(
        _handoff(notebooks, "-o", out, "--ship-folder")
    )
    single = notebooks / "a_r.ipynb"
    assert "give a folder" in _one_line_error(_handoff(single, "-o", out, "--scheduler", "local:1"))
    assert not out.exists()


def test_the_api_hands_off_a_folder_in_input_order(tmp_path):
    import harden

    assert "handoff_folder" in harden.__all__
    seen: list[str] = []
    result = harden.handoff_folder(
        _bad_inputs(tmp_path / "nbs"),
        output_dir=tmp_path / "out",
        jobs=1,
        progress=lambda done, total, one: seen.append(f"{done}/{total} {one.name}"),
    )
    assert [(r.name, r.verdict) for r in result.results] == [
        ("a_r", "error"),
        ("sub/b_broken", "error"),
    ]
    assert "not a Python notebook" in result.results[0].message
    assert seen == ["1/2 a_r", "2/2 sub/b_broken"]
    assert result.exit_code == 2 and result.index_html == tmp_path / "out" / "index.html"


# -- slow: two examples handed off ----------------------------------------------------------
@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("handoff-batch") / "examples"
    folder.mkdir()
    for name in NOTEBOOKS + DATA:
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def _verdicts(completed: subprocess.CompletedProcess[str], out: Path) -> dict[str, str]:
    assert completed.returncode in (0, 1), completed.stderr
    data = json.loads(completed.stdout)
    assert data == json.loads((out / "report.json").read_text(encoding="utf-8"))
    for notebook in data["notebooks"]:
        folder = out / notebook["name"]
        for made in ("README.md", "report.html", "data-manifest.json", "requirements.txt"):
            assert (folder / made).is_file(), f"{folder / made} missing"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{n["name"]}/report.html"' in index for n in data["notebooks"])
    return {n["name"]: n["verdict"] for n in data["notebooks"]}


@pytest.fixture(scope="module")
def pool_verdicts(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("pool") / "out"
    completed = _handoff(examples, "-o", out, "--no-mutate", "--jobs", "2", "--format", "json")
    verdicts = _verdicts(completed, out)
    assert verdicts == {"demand_params": "complete", "iris_exploration": "complete"}
    return verdicts


@pytest.mark.slow
def test_a_local_cluster_gives_the_verdicts_of_the_process_pool(examples, pool_verdicts, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    completed = _handoff(
        examples, "-o", out, "--no-mutate", "--scheduler", "local:2", "--format", "json"
    )
    assert _verdicts(completed, out) == pool_verdicts


@pytest.mark.slow
def test_a_scheduler_with_two_workers_and_shipped_folders_gives_the_same_folders(
    examples, pool_verdicts, cluster, tmp_path
):
    out = tmp_path / "out"
    address = cluster.address  # type: ignore[attr-defined]
    completed = _handoff(
        examples,
        "-o",
        out,
        "--no-mutate",
        "--scheduler",
        address,
        "--ship-folder",
        "--format",
        "json",
    )
    assert _verdicts(completed, out) == pool_verdicts
    # The folders came back zipped: no worker scratch path in them, and harden's
    # manifests match the files (a second handoff would not refuse them as edited).
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".md", ".html", ".toml", ".py"):
            assert "harden-handoff-shipped" not in path.read_text(encoding="utf-8"), path
    from harden.handover.batch import check_overwrites

    check_overwrites(out, pool_verdicts)


def _killer_and_quick(tmp_path: Path) -> Path:
    """A folder with a notebook that kills the process running its kernel, and a quick one."""
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(
        notebooks, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", name="killer.ipynb"
    )
    write_notebook(notebooks, "x = 1\nprint(x)", name="quick.ipynb")
    return notebooks


@pytest.mark.slow
def test_a_notebook_that_kills_its_pool_worker_fails_alone(tmp_path):
    notebooks = _killer_and_quick(tmp_path)
    out = tmp_path / "out"
    completed = _handoff(notebooks, "-o", out, "--no-mutate", "--jobs", "2", "--format", "json")
    assert completed.returncode == 1, completed.stderr
    verdicts = {n["name"]: n for n in json.loads(completed.stdout)["notebooks"]}
    assert verdicts["killer"]["verdict"] == "failed"
    assert "died" in verdicts["killer"]["message"]
    assert verdicts["quick"]["verdict"] in ("complete", "incomplete")


@pytest.mark.slow
def test_a_notebook_that_kills_every_worker_is_worker_lost_on_a_shared_path(cluster, tmp_path):
    notebooks = _killer_and_quick(tmp_path)
    out = tmp_path / "out"
    address = cluster.address  # type: ignore[attr-defined]
    completed = _handoff(
        notebooks, "-o", out, "--no-mutate", "--scheduler", address, "--format", "jsonl"
    )
    assert completed.returncode == 1, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    by_name = {line["name"]: line for line in lines[:-1]}
    assert by_name["killer"]["verdict"] == "worker_lost"
    assert by_name["killer"]["worker"].startswith("tcp://127.0.0.1:")
    assert by_name["quick"]["verdict"] in ("complete", "incomplete")
    assert (out / "quick" / "report.html").is_file()  # written by the worker, on the shared path
    assert lines[-1]["summary"]["worker_lost"] == 1
    cluster.wait_for_workers(2)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_ctrl_c_stops_every_handoff_and_leaves_no_kernel(tmp_path):
    """Ctrl-C reaches the whole process group, as a terminal sends it: exit 130, one
    line, no kernel left running, no index written over a half-done batch."""
    psutil = pytest.importorskip("psutil")
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    for name in ("slow1.ipynb", "slow2.ipynb"):
        write_notebook(notebooks, "import time\ntime.sleep(120)", name=name)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "harden.cli", "handoff", str(notebooks), "-o", str(out)]
        + ["--no-mutate", "--jobs", "2", "-q"],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def kernels() -> list[psutil.Process]:
        found = []
        for child in psutil.Process(process.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:
                continue
        return found

    try:
        deadline = time.monotonic() + 120
        while len(running := kernels()) < 2:
            assert time.monotonic() < deadline, "the two kernels did not start"
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "harden: interrupted"
    assert "Traceback" not in stderr
    _, alive = psutil.wait_procs(running, timeout=10)
    assert not alive, f"kernels left running: {alive}"
    assert not (out / "index.html").exists()
