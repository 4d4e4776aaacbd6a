#!/usr/bin/env python
"""Build the example notebooks in ``notebooks/examples/``.

The sources are ``notebooks/examples/src/<name>.py`` (``.R`` for the R
notebook): Jupytext percent files, one per notebook, whose front matter and
cell options carry what the notebook is meant to show (see the README there).
This script writes the CSV data files (``tools/example_data.py``), builds
every notebook from its source, executes it for real in a fresh ``python3``
kernel (working directory = ``notebooks/examples``), applies the deliberate
"history" a messy notebook carries (cells run out of order, a cell deleted
after it ran, an error output left behind by a cell that was fixed later, a
cell never run), and writes ``README.md`` and ``expected_findings.json`` from
the same sources, so cell indexes in the table can never drift from the
notebooks.

Usage::

    python tools/build_examples.py                 # data + all notebooks + README + JSON
    python tools/build_examples.py --only iris_exploration churn_clean
    python tools/build_examples.py --data-only
    python tools/build_examples.py --docs-only     # README + JSON only
    python tools/build_examples.py --verify        # papermill each notebook, compare with "runs"
    python tools/build_examples.py --check         # no kernel: would a rebuild change a file?

Execution order per notebook: by default every code cell is run top to
bottom.  A source may give ``plan`` (the keys of the cells in the order the
author ran them); cells left out of the plan keep ``execution_count`` null.
``exec_source`` is the source a cell had when it ran (the stored source is
the cell's text); ``deleted`` cells are executed and then removed.

Outputs are real, except for the R notebook, which is stored unexecuted (no
R kernel here).  Some outputs are volatile by design (``%time``, unseeded
randomness, a token read from the environment); rebuilding changes those.
``--check`` rebuilds with the outputs stored now instead of running a kernel,
so it compares everything else byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from example_data import write_data

from harden.notebook.build import CellSpec, build_notebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
SOURCES = EXAMPLES / "src"
README_TEMPLATE = SOURCES / "README.template.md"
TABLES_MARKER = "<!-- generated tables -->"

#: The notebooks, in the order of the README and ``expected_findings.json``.
NOTEBOOKS = [
    "churn_clean",
    "churn_messy",
    "housing_prices_messy",
    "sales_forecast_messy",
    "iris_exploration",
    "sentiment_messy",
    "sales_summary_r",
    "customer_ltv",
    "model_selection_loop",
    "sensor_anomalies",
    "demand_params",
    "loan_default",
]

MAX_NOTEBOOK_BYTES = 1_250_000
LARGE_OUTPUT_MIN = 1_060_000  # H501 fixture: raw output text must exceed 1 MiB with margin

LANGUAGE_INFO: dict[str, dict[str, Any]] = {
    "python": {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": "3.11.7",
    },
    "R": {
        "codemirror_mode": "r",
        "file_extension": ".r",
        "mimetype": "text/x-r-source",
        "name": "R",
        "pygments_lexer": "r",
        "version": "4.3.1",
    },
}


# --------------------------------------------------------------------------
# notebook specs, read from the percent sources
# --------------------------------------------------------------------------

#: Cell options a source may set; Jupytext adds the layout ones itself.
CELL_OPTIONS = {"key", "tags", "expect", "exec_source", "expect_error", "deleted"}
JUPYTEXT_CELL_OPTIONS = {"lines_to_next_cell", "lines_to_end_of_cell_marker"}
NOTEBOOK_OPTIONS = {
    "kind",
    "summary",
    "notes",
    "runs",
    "runs_note",
    "expect",
    "plan",
    "env",
    "execute",
}


@dataclass
class Cell:
    kind: str  # "code" | "markdown"
    source: str
    key: str | None = None
    tags: tuple[str, ...] = ()
    exec_source: str | None = None  # source at the time it ran, when it differs
    expect_error: bool = False  # running exec_source raises (stored error output)
    deleted: bool = False  # executed, then removed from the notebook


@dataclass
class Spec:
    name: str
    kind: str  # "lint" | "extract"
    summary: str
    cells: list[Cell]
    expected: list[tuple[str, str | None]]  # (rule, cell key or None)
    runs: bool
    kernelspec: dict[str, str]
    runs_note: str = ""
    plan: list[str] | None = None  # execution order by key; None = top to bottom
    env: dict[str, str] = field(default_factory=dict)
    execute: bool = True
    notes: str = ""

    @property
    def language(self) -> str:
        return self.kernelspec["language"]

    def stored_cells(self) -> list[Cell]:
        return [c for c in self.cells if not c.deleted]

    def index_of(self, key: str) -> int:
        for i, c in enumerate(self.stored_cells()):
            if c.key == key:
                return i
        raise KeyError(f"{self.name}: no stored cell with key {key!r}")

    def findings(self) -> list[list[Any]]:
        out = [[rule, None if key is None else self.index_of(key)] for rule, key in self.expected]
        return sorted(out, key=lambda f: (-1 if f[1] is None else f[1], f[0]))


def source_path(stem: str) -> Path:
    for ext in (".py", ".R"):
        path = SOURCES / f"{stem}{ext}"
        if path.exists():
            return path
    raise SystemExit(f"no source for {stem} in {SOURCES}")


def load_spec(path: Path) -> Spec:
    """Read one percent source into a :class:`Spec`."""
    import jupytext

    name = path.stem + ".ipynb"
    nb = jupytext.read(path, fmt=f"{path.suffix[1:]}:percent")
    meta = dict(nb.metadata.get("harden_example", {}))
    unknown = set(meta) - NOTEBOOK_OPTIONS
    if unknown:
        raise SystemExit(f"{path}: unknown harden_example keys {sorted(unknown)}")
    cells: list[Cell] = []
    expected: list[tuple[str, str | None]] = [(rule, None) for rule in meta.get("expect", [])]
    for c in nb.cells:
        opts = dict(c.metadata)
        unknown = set(opts) - CELL_OPTIONS - JUPYTEXT_CELL_OPTIONS
        if unknown:
            raise SystemExit(f"{path}: unknown cell options {sorted(unknown)}")
        key = opts.get("key")
        if opts.get("expect") and key is None:
            raise SystemExit(f"{path}: a cell with `expect` needs a `key`")
        cells.append(
            Cell(
                c.cell_type,
                c.source,
                key,
                tuple(opts.get("tags", ())),
                opts.get("exec_source"),
                bool(opts.get("expect_error", False)),
                bool(opts.get("deleted", False)),
            )
        )
        expected += [(rule, key) for rule in opts.get("expect", [])]
    keys = [c.key for c in cells if c.key]
    if len(keys) != len(set(keys)):
        raise SystemExit(f"{name}: duplicate cell keys")
    return Spec(
        name=name,
        kind=meta["kind"],
        summary=meta["summary"],
        cells=cells,
        expected=expected,
        runs=meta["runs"],
        kernelspec=dict(nb.metadata["kernelspec"]),
        runs_note=meta.get("runs_note", ""),
        plan=meta.get("plan"),
        env=dict(meta.get("env", {})),
        execute=meta.get("execute", True),
        notes=meta.get("notes", ""),
    )


def load_specs() -> list[Spec]:
    return [load_spec(source_path(stem)) for stem in NOTEBOOKS]


# --------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------


def _cell_id(nb_name: str, cell: Cell, index: int) -> str:
    return hashlib.sha1(f"{nb_name}:{cell.key or index}".encode()).hexdigest()[:8]


def _new_notebook(
    s: Spec, cells: list[Cell], for_execution: bool, ran: list[Any] | None = None
) -> nbformat.NotebookNode:
    """The notebook of ``cells``; ``ran`` gives each cell's executed node (counts, outputs)."""
    specs = []
    for i, c in enumerate(cells):
        src = c.exec_source if (for_execution and c.exec_source is not None) else c.source
        count, outputs = None, ()
        if ran is not None and c.kind == "code":
            count = ran[i].get("execution_count")
            outputs = tuple(_without_timing(o) for o in ran[i].get("outputs", []))
        specs.append(
            CellSpec(
                src,
                "markdown" if c.kind == "markdown" else "code",
                c.tags,
                count,
                outputs,
                id=_cell_id(s.name, c, i),
            )
        )
    return build_notebook(
        specs, kernel=s.kernelspec, metadata={"language_info": LANGUAGE_INFO[s.language]}
    )


def _without_timing(output: Any) -> dict[str, Any]:
    out = dict(output)
    if "metadata" in out:
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k != "execution"}
    return out


def _has_error(node: Any) -> bool:
    return any(o.get("output_type") == "error" for o in node.get("outputs", []))


def _execute(s: Spec, nb: nbformat.NotebookNode) -> None:
    from nbclient import NotebookClient

    keys = [c.key for c in s.cells]
    if s.plan is None:
        order = [i for i, c in enumerate(s.cells) if c.kind == "code" and not c.deleted]
    else:
        order = [keys.index(k) for k in s.plan]
    saved = {
        k: os.environ.get(k)
        for k in [*s.env, "PIP_ROOT_USER_ACTION", "PIP_DISABLE_PIP_VERSION_CHECK"]
    }
    os.environ.update(s.env)
    os.environ["PIP_ROOT_USER_ACTION"] = "ignore"
    os.environ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    try:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            allow_errors=True,
            record_timing=False,
            resources={"metadata": {"path": str(EXAMPLES)}},
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        with client.setup_kernel():
            for i in order:
                node = nb.cells[i]
                client.execute_cell(node, i)
                err = _has_error(node)
                if err != s.cells[i].expect_error:
                    detail = [o for o in node.outputs if o.get("output_type") == "error"]
                    raise SystemExit(
                        f"{s.name}: cell {s.cells[i].key or i} error={err}, "
                        f"expected {s.cells[i].expect_error}\n"
                        + "\n".join(f"{o.ename}: {o.evalue}" for o in detail)
                    )
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def render(s: Spec, stored: nbformat.NotebookNode | None = None) -> tuple[str, Any]:
    """The notebook's file text (and node): executed, or with ``stored``'s counts and outputs."""
    if stored is None:
        executed = _new_notebook(s, s.cells, for_execution=True)
        if s.execute:
            _execute(s, executed)
        ran = [n for n, c in zip(executed.cells, s.cells) if not c.deleted]
    else:
        if len(stored.cells) != len(s.stored_cells()):
            raise SystemExit(
                f"{s.name}: the stored notebook has {len(stored.cells)} cells, "
                f"the source {len(s.stored_cells())}"
            )
        ran = list(stored.cells)
    final = _new_notebook(s, s.stored_cells(), for_execution=False, ran=ran)
    nbformat.validate(final)
    text = nbformat.writes(final, version=4)
    return (text if text.endswith("\n") else text + "\n"), final


def build(s: Spec) -> Path:
    text, final = render(s)
    path = EXAMPLES / s.name
    path.write_text(text, encoding="utf-8")
    _check_built(s, final, len(text.encode("utf-8")))
    print(f"  {s.name:<30} {len(final.cells):>3} cells {path.stat().st_size:>9} bytes")
    return path


def _output_chars(node: Any) -> int:
    total = 0
    for o in node.get("outputs", []):
        if "text" in o:
            total += len(o["text"])
        for value in o.get("data", {}).values():
            total += len(value) if isinstance(value, str) else len(json.dumps(value))
        if o.get("output_type") == "error":
            total += sum(len(line) for line in o.get("traceback", []))
    return total


def _check_built(s: Spec, nb: Any, size: int) -> None:
    if size > MAX_NOTEBOOK_BYTES:
        raise SystemExit(f"{s.name}: {size} bytes > {MAX_NOTEBOOK_BYTES}")
    large = {key for rule, key in s.expected if rule == "H501"}
    for c, node in zip(s.stored_cells(), nb.cells):
        chars = _output_chars(node)
        if c.key in large and chars < LARGE_OUTPUT_MIN:
            raise SystemExit(
                f"{s.name}: cell {c.key} output is {chars} chars, want >= {LARGE_OUTPUT_MIN}"
            )
        if c.key not in large and chars > 300_000:
            raise SystemExit(f"{s.name}: cell {c.key} output unexpectedly large ({chars})")
    errors = {key for rule, key in s.expected if rule == "H006"}
    for c, node in zip(s.stored_cells(), nb.cells):
        if _has_error(node) != (c.key in errors):
            raise SystemExit(
                f"{s.name}: error output in cell {c.key} does not match the H006 expectation"
            )


# --------------------------------------------------------------------------
# docs: README.md and expected_findings.json
# --------------------------------------------------------------------------

RULE_NAMES = {
    "H001": "out-of-order-execution",
    "H002": "use-before-define",
    "H003": "undefined-name",
    "H004": "non-idempotent-cell",
    "H005": "unexecuted-cell",
    "H006": "error-output",
    "H101": "unseeded-randomness",
    "H102": "absolute-path",
    "H103": "remote-data",
    "H104": "install-in-notebook",
    "H105": "ipython-only-syntax",
    "H106": "working-directory-change",
    "H107": "interactive-input",
    "H201": "wildcard-import",
    "H202": "scattered-imports",
    "H203": "unused-import",
    "H204": "unused-variable",
    "H205": "long-cell",
    "H206": "empty-cell",
    "H207": "suppressed-warnings",
    "H208": "redefined-function",
    "H209": "syntax-error",
    "H301": "hardcoded-secret",
    "H302": "secret-in-output",
    "H401": "preprocessing-before-split",
    "H402": "fit-on-test-data",
    "H403": "missing-parameters-cell",
    "H501": "large-output",
    "H502": "no-title",
    "H503": "unsupported-kernel",
}


def expected_text(specs: list[Spec]) -> str:
    data: dict[str, dict[str, Any]] = {
        "findings": {s.name: s.findings() for s in specs},
        "runs": {s.name: s.runs for s in specs},
    }
    covered = {rule for s in specs for rule, _ in s.expected}
    missing = sorted(set(RULE_NAMES) - covered)
    if missing:
        raise SystemExit(f"rules not covered by any example: {missing}")
    data["kind"] = {s.name: s.kind for s in specs}
    # one notebook per line: readable diffs, still plain JSON
    parts = []
    for key, table in data.items():
        rows = [f"    {json.dumps(name)}: {json.dumps(value)}" for name, value in table.items()]
        parts.append(f"  {json.dumps(key)}: {{\n" + ",\n".join(rows) + "\n  }")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    assert json.loads(text) == data
    return text


def _fmt_findings(s: Spec) -> str:
    items = s.findings()
    if not items:
        return "none (lints clean)"
    return ", ".join(f"{r}@{'nb' if i is None else i}" for r, i in items)


def _notebook_tables(specs: list[Spec]) -> list[str]:
    lines: list[str] = []
    for kind, title in [
        ("lint", "Lint notebooks"),
        ("extract", "Extract notebooks (all run top to bottom)"),
    ]:
        lines += [
            f"## {title}",
            "",
            "| notebook | what it is | intended findings (rule@cell) | runs top to bottom |",
            "|---|---|---|---|",
        ]
        for s in specs:
            if s.kind != kind:
                continue
            runs = "yes" if s.runs else "**no**"
            if s.runs_note:
                runs += f": {s.runs_note}"
            what = s.summary + (f" {s.notes}" if s.notes else "")
            lines.append(f"| `{s.name}` | {what} | {_fmt_findings(s)} | {runs} |")
        lines.append("")
    lines += [
        "## Where each rule fires",
        "",
        "| rule | name | notebook@cell |",
        "|---|---|---|",
    ]
    for rule, name in RULE_NAMES.items():
        where = [
            f"`{s.name}`@{'nb' if i is None else i}"
            for s in specs
            for r, i in s.findings()
            if r == rule
        ]
        lines.append(f"| {rule} | {name} | {', '.join(where)} |")
    return lines


def _cell_tables(specs: list[Spec]) -> list[str]:
    lines = ["", "## Cell by cell", ""]
    for s in specs:
        lines += [
            f"### `{s.name}`",
            "",
            "| cell | type | exec count | tags | first line | intended findings |",
            "|---|---|---|---|---|---|",
        ]
        path = EXAMPLES / s.name
        stored = json.loads(path.read_text()) if path.exists() else None
        for i, c in enumerate(s.stored_cells()):
            count = ""
            if stored is not None and c.kind == "code":
                ec = stored["cells"][i]["execution_count"]
                count = "null" if ec is None else str(ec)
            first = next((ln for ln in c.source.splitlines() if ln.strip()), "(empty)")
            first = first.replace("|", "\\|")
            if len(first) > 60:
                first = first[:57] + "..."
            rules = ", ".join(r for r, k in s.expected if k is not None and k == c.key)
            tags = ", ".join(c.tags)
            lines.append(f"| {i} | {c.kind} | {count} | {tags} | `{first}` | {rules} |")
        nb_level = ", ".join(r for r, k in s.expected if k is None)
        if nb_level:
            lines += ["", f"Notebook-level (cell `null`): {nb_level}"]
        lines.append("")
    return lines


def readme_text(specs: list[Spec]) -> str:
    head, semantics = README_TEMPLATE.read_text(encoding="utf-8").split(TABLES_MARKER)
    lines = [
        head.strip("\n"),
        "",
        *_notebook_tables(specs),
        *_cell_tables(specs),
        semantics.strip("\n"),
    ]
    return "\n".join(lines) + "\n"


def write_docs(specs: list[Spec]) -> None:
    (EXAMPLES / "expected_findings.json").write_text(expected_text(specs), encoding="utf-8")
    (EXAMPLES / "README.md").write_text(readme_text(specs), encoding="utf-8")


# --------------------------------------------------------------------------
# check: rebuild in memory with the stored outputs; verify: run with papermill
# --------------------------------------------------------------------------


def check(specs: list[Spec], all_specs: list[Spec]) -> int:
    """Files a rebuild would change (outputs and counts taken from the stored notebooks)."""
    stale: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        write_data(Path(tmp), verbose=False)
        for data in sorted(Path(tmp).iterdir()):
            if (EXAMPLES / data.name).read_bytes() != data.read_bytes():
                stale.append(data.name)
    for s in specs:
        path = EXAMPLES / s.name
        text, _ = render(s, nbformat.read(path, as_version=4))
        if path.read_bytes() != text.encode("utf-8"):
            stale.append(s.name)
    for name, text in [
        ("expected_findings.json", expected_text(all_specs)),
        ("README.md", readme_text(all_specs)),
    ]:
        if (EXAMPLES / name).read_text(encoding="utf-8") != text:
            stale.append(name)
    for name in stale:
        print(f"  would change: {name}")
    return len(stale)


def verify(specs: list[Spec]) -> int:
    import papermill as pm

    failures = 0
    for s in specs:
        if s.language != "python":
            continue
        path = EXAMPLES / s.name
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / s.name
            try:
                pm.execute_notebook(
                    str(path),
                    str(out),
                    kernel_name="python3",
                    cwd=str(EXAMPLES),
                    progress_bar=False,
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
                ok = True
                why = ""
            except pm.PapermillExecutionError as exc:
                ok = False
                why = (
                    f"{type(exc).__name__}: {getattr(exc, 'ename', '')} "
                    f"{getattr(exc, 'evalue', '')}"
                ).strip()
        after = hashlib.sha256(path.read_bytes()).hexdigest()
        status = "ok" if ok == s.runs and before == after else "MISMATCH"
        failures += status != "ok"
        print(
            f"  {s.name:<30} runs={ok!s:<5} expected={s.runs!s:<5} "
            f"input unchanged={before == after} {status} {why}"
        )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="notebook names (with or without .ipynb)")
    parser.add_argument("--data-only", action="store_true")
    parser.add_argument("--docs-only", action="store_true")
    parser.add_argument("--verify", action="store_true", help="only run the papermill check")
    parser.add_argument(
        "--check", action="store_true", help="no kernel: exit 1 if rebuilding would change any file"
    )
    args = parser.parse_args(argv)

    specs = load_specs()
    wanted = specs
    if args.only:
        names = {n if n.endswith(".ipynb") else n + ".ipynb" for n in args.only}
        wanted = [s for s in specs if s.name in names]
        unknown = names - {s.name for s in wanted}
        if unknown:
            parser.error(f"unknown notebooks: {sorted(unknown)}")
    if args.verify:
        return 1 if verify(wanted) else 0
    if args.check:
        return 1 if check(wanted, specs) else 0
    if not args.docs_only:
        print("data:")
        write_data(EXAMPLES)
        if args.data_only:
            return 0
        print("notebooks:")
        for s in wanted:
            build(s)
    write_docs(specs)
    print("wrote README.md and expected_findings.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
