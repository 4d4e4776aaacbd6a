"""data-manifest.json: the data files a notebook read, found from the analysis,
described (size, sha256, rows and columns), checked against its schema and re-hashed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import nbformat
import pandas as pd
import pytest

from harden.analysis import analyze
from harden.handover.manifest import (
    JSON_SCHEMA,
    Column,
    ManifestError,
    check_manifest,
    data_manifest,
    read_files,
    render_manifest,
    reshaped_reads,
    schema_text,
)
from harden.notebook import build_notebook, load

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
SCHEMA_FILE = ROOT / "docs" / "data-manifest.schema.json"


def _manifest_for(notebook_path: Path) -> tuple[tuple[str, ...], dict]:
    notebook = load(notebook_path)
    files = read_files(analyze(notebook), notebook_path.parent)
    text = render_manifest(data_manifest(notebook_path, files))
    return files, json.loads(text)


def test_the_schema_file_is_the_modules_schema() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "regenerate docs/data-manifest.schema.json from harden.handover.manifest.schema_text()"
    )
    jsonschema.Draft202012Validator.check_schema(JSON_SCHEMA)


@pytest.mark.parametrize("name", ["customer_ltv", "churn_clean", "housing_prices_messy"])
def test_example_manifests_describe_the_csvs_the_notebook_read(name: str) -> None:
    files, document = _manifest_for(EXAMPLES / f"{name}.ipynb")
    jsonschema.validate(document, JSON_SCHEMA)
    present = [entry for entry in document["files"] if not entry["missing"]]
    assert present, files
    for entry in present:
        path = EXAMPLES / entry["path"]
        data = path.read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        frame = pd.read_csv(path)
        assert entry["format"] == "csv" and entry["rows"] == len(frame)
        assert entry["columns"] == [
            {"name": str(column), "dtype": str(dtype)} for column, dtype in frame.dtypes.items()
        ]
    assert document["notebook"] == f"{name}.ipynb" and document["schema"] == 1


def test_customer_ltv_reads_two_files_and_housing_names_a_missing_one_and_a_url() -> None:
    files, document = _manifest_for(EXAMPLES / "customer_ltv.ipynb")
    assert files == ("orders.csv", "customers.csv")
    assert [e["path"] for e in document["files"]] == ["customers.csv", "orders.csv"]
    _, housing = _manifest_for(EXAMPLES / "housing_prices_messy.ipynb")
    by_path = {e["path"]: e for e in housing["files"]}
    assert by_path.keys() == {"/home/alice/projects/housing/data/housing.csv", "housing.csv"}
    gone = by_path["/home/alice/projects/housing/data/housing.csv"]
    assert gone["missing"] is True and gone["size"] is None and gone["sha256"] is None
    assert housing["remote"] == ["https://data.example.com/exports/housing_2023.csv"]


def _notebook(folder: Path, source: str) -> Path:
    path = folder / "analysis.ipynb"
    nbformat.write(build_notebook([source]), path)
    return path


def test_read_files_finds_reads_and_leaves_out_writes_queries_and_code(tmp_path: Path) -> None:
    for name in ("stop.txt", "arr.npy", "pred.csv", "out.txt", "README.md", "helpers.py"):
        (tmp_path / name).write_text("x\n")
    source = (
        "import glob, numpy as np, pandas as pd\nimport helpers\n"
        'P = "data/x.csv"\ndf = pd.read_csv(P)\n'
        'with open("stop.txt") as f:\n    words = f.read()\n'
        'with open("out.txt", "w") as f:\n    f.write("x")\n'
        'parts = glob.glob("parts/*.csv")\na = np.load("arr.npy")\n'
        'df.to_csv("pred.csv")\nq = pd.read_sql("SELECT 1", con)\n'
        'note = "see README.md"\nexec(open("helpers.py").read())\n'
        'def later():\n    return pd.read_parquet("later.parquet")\n'
        'df.to_pickle("made.pkl")\nagain = pd.read_pickle("made.pkl")\n'
    )
    path = _notebook(tmp_path, source)
    files = read_files(analyze(load(path)), tmp_path)
    assert files == ("data/x.csv", "stop.txt", "parts/*.csv", "arr.npy", "later.parquet")


def test_a_table_the_notebook_reads_reshaped_has_no_rows_and_columns(tmp_path: Path) -> None:
    (tmp_path / "plain.csv").write_text("a,b\n1,2\n")
    (tmp_path / "both.csv").write_text("a,b\n1,2\n")
    (tmp_path / "raw.csv").write_text("# comment\n1,2\n3,4\n")
    (tmp_path / "doc.json").write_text('{"a": [1, 2]}')
    source = (
        "import pandas as pd\n"
        'p = pd.read_csv("plain.csv", parse_dates=["a"], dtype={"b": float})\n'
        'b1 = pd.read_csv("both.csv", header=None)\nb2 = pd.read_csv("both.csv")\n'
        'r = pd.read_csv("raw.csv", skiprows=1, header=None)\nj = pd.read_json("doc.json")\n'
    )
    path = _notebook(tmp_path, source)
    analysis = analyze(load(path))
    assert reshaped_reads(analysis) == {
        "raw.csv": "skiprows=1, header=None",
        "doc.json": "no lines=True",
    }
    manifest = data_manifest(path, read_files(analysis, tmp_path), analysis)
    by_path = {f.path: f for f in manifest.files}
    assert by_path["plain.csv"].rows == 1 and by_path["both.csv"].rows == 1
    raw = by_path["raw.csv"]
    assert (raw.format, raw.rows, raw.columns) == ("csv", None, None)
    assert (
        raw.note == "read by the notebook with skiprows=1, header=None: rows and columns not read"
    )
    assert raw.sha256 == hashlib.sha256((tmp_path / "raw.csv").read_bytes()).hexdigest()
    assert by_path["doc.json"].format is None and by_path["doc.json"].rows is None
    # the same file named otherwise (as a run's input hashes name it)
    assert data_manifest(path, ["./raw.csv"], analysis).files[0].rows is None
    # without the analysis, the plain read is described
    assert data_manifest(path, ["raw.csv"]).files[0].rows == 2


def test_globs_and_directories_expand_missing_files_are_listed(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_csv(parts / "p0.csv", index=False)
    pd.DataFrame({"a": [3], "b": ["z"]}).to_csv(parts / "p1.csv", index=False)
    dataset = tmp_path / "dataset"
    (dataset / "year=2024").mkdir(parents=True)
    pd.DataFrame({"v": [1.5, 2.5, 3.5]}).to_parquet(dataset / "year=2024" / "part.parquet")
    (dataset / ".ignored").write_text("hidden")
    (tmp_path / "words.txt").write_text("the\nand\n")
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04not really")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    notebook = tmp_path / "nb.ipynb"
    manifest = data_manifest(
        notebook,
        [
            "parts/*.csv",
            "dataset",
            "dataset/",
            "words.txt",
            "book.xlsx",
            "broken.parquet",
            "gone.csv",
            "nothing/*.csv",
            tmp_path / "parts" / "p0.csv",  # absolute, inside the folder: relative
            "s3://bucket/key.csv",
            "postgresql://me:hunter2@db/x",
            "https://example.com/d.csv?raw=1&api_key=abc123def456",
        ],
    )
    by_path = {f.path: f for f in manifest.files}
    assert list(by_path) == sorted(by_path)
    assert set(by_path) == {
        "parts/p0.csv",
        "parts/p1.csv",
        "dataset/year=2024/part.parquet",
        "words.txt",
        "book.xlsx",
        "broken.parquet",
        "gone.csv",
        "nothing/*.csv",
    }
    assert by_path["parts/p0.csv"].rows == 2 and by_path["parts/p1.csv"].rows == 1
    assert by_path["parts/p0.csv"].columns == (Column("a", "int64"), Column("b", "str"))
    parquet = by_path["dataset/year=2024/part.parquet"]
    assert (parquet.format, parquet.rows, parquet.columns) == (
        "parquet",
        3,
        (Column("v", "float64"),),
    )
    assert by_path["words.txt"].format is None and by_path["words.txt"].size == 8
    assert "harden reads CSV, Parquet, JSON lines" in (by_path["book.xlsx"].note or "")
    assert by_path["broken.parquet"].rows is None
    assert (by_path["broken.parquet"].note or "").startswith("cannot read as PARQUET")
    assert by_path["gone.csv"].missing and by_path["nothing/*.csv"].missing
    assert [f.path for f in manifest.missing] == ["gone.csv", "nothing/*.csv"]
    assert manifest.remote == (
        "https://example.com/d.csv?raw=1&api_key=***",
        "postgresql://me:***@db/x",
        "s3://bucket/key.csv",
    )
    jsonschema.validate(json.loads(render_manifest(manifest)), JSON_SCHEMA)


def test_paths_outside_the_notebooks_folder(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "t.csv").write_text("a\n1\n")
    (tmp_path / "work").mkdir()
    manifest = data_manifest(
        tmp_path / "work" / "nb.ipynb", ["../shared/t.csv", str(tmp_path / "shared" / "t.csv")]
    )
    assert [f.path for f in manifest.files] == [
        "../shared/t.csv",
        (tmp_path / "shared" / "t.csv").as_posix(),
    ]
    assert all(f.rows == 1 for f in manifest.files)


def test_check_manifest_finds_edited_missing_and_appeared_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("customer_ltv.ipynb", "orders.csv", "customers.csv"):
        shutil.copy(EXAMPLES / name, project / name)
    notebook = project / "customer_ltv.ipynb"
    files = [*read_files(analyze(load(notebook)), project), "later.csv"]
    out = tmp_path / "handoff" / "customer_ltv"
    out.mkdir(parents=True)
    manifest_path = out / "data-manifest.json"
    manifest_path.write_text(render_manifest(data_manifest(notebook, files), out))
    assert json.loads(manifest_path.read_text())["notebook"] == "../../project/customer_ltv.ipynb"
    assert check_manifest(manifest_path) == []

    with (project / "orders.csv").open("a") as handle:
        handle.write("9999,1,2024-01-01,1.0,x,y\n")
    (project / "customers.csv").unlink()
    (project / "later.csv").write_text("a\n1\n")
    drifts = {d.path: d for d in check_manifest(manifest_path)}
    assert {p: d.kind for p, d in drifts.items()} == {
        "orders.csv": "changed",
        "customers.csv": "missing",
        "later.csv": "appeared",
    }
    assert drifts["orders.csv"].describe().startswith("orders.csv: changed since the manifest")
    # the data copied elsewhere: point at it
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("orders.csv", "customers.csv"):
        shutil.copy(EXAMPLES / name, copy / name)
    assert [d.kind for d in check_manifest(manifest_path, data_dir=copy)] == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (line 1"),
        ("[]", "not a harden data manifest"),
        ('{"schema": 99, "files": []}', "data manifest schema 99: this harden reads schema 1"),
    ],
)
def test_a_broken_manifest_is_a_one_line_error(
    tmp_path: Path, text: str | None, words: str
) -> None:
    path = tmp_path / "data-manifest.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        check_manifest(path)
    line = caught.value.one_line()
    assert words in line and "\n" not in line and str(path) in line
