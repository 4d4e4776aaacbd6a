"""Why a notebook failed, or why an output differs: causes named from the error and the analysis.

:func:`failure_causes` reads the exception of the failing cell (missing
module, library drift, missing data file, network access, hidden state,
``sys.exit``); :func:`difference_causes` points at what the analysis found in
or before a differing cell (lint findings such as H001/H002/H101/H103, and
clock reads) and at data files whose content changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harden.analysis.library import CLOCK_CALLS, DISTRIBUTIONS, LIBRARY_CLASSES
from harden.run.facts import NotebookFacts
from harden.run.runner import CellError

if TYPE_CHECKING:
    from harden.analysis import Analysis

log = logging.getLogger(__name__)

#: Lint rules whose findings explain a difference when they sit in or before a differing
#: cell, and the cause kind each stands for.
CAUSE_KINDS = {
    "H001": "hidden-state",
    "H002": "hidden-state",
    "H003": "hidden-state",
    "H004": "non-idempotent",
    "H006": "stale-output",
    "H101": "unseeded-random",
    "H103": "remote-data",
    "H104": "install-in-notebook",
}
CAUSE_RULES = tuple(CAUSE_KINDS)
DRIFT_ERRORS = {"AttributeError", "TypeError", "ImportError", "ValueError"}
NETWORK_ERRORS = {
    "URLError",
    "HTTPError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "gaierror",
    "ConnectTimeout",
    "ReadTimeout",
    "ConnectTimeoutError",
    "SSLError",
    "MaxRetryError",
    "NewConnectionError",
    "RemoteDisconnected",
    "ClientConnectorError",
}
NETWORK_TEXT = re.compile(
    r"Name or service not known|Temporary failure in name resolution|nodename nor servname|"
    r"Failed to establish a new connection|Network is unreachable|getaddrinfo failed",
    re.IGNORECASE,
)
SITE_FRAME = re.compile(
    r"((?:~|/|[A-Za-z]:\\)[^\s:'\"]*?(?:site|dist)-packages)[/\\]([A-Za-z_]\w*)"
)
SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}
IGNORED_PACKAGES = {"IPython", "ipykernel", "traitlets", "tornado", "zmq", "_pytest"}
#: A missing optional dependency, as libraries word it (pandas' read_html needs lxml).
OPTIONAL_MODULE = re.compile(
    r"Missing optional dependency '([\w.]+)'|`Import ([\w.]+)` failed|No module named '([\w.]+)'"
)
#: ``Class.method() got an unexpected keyword argument``: the class names the library
#: when the call fails before entering it (no frame of the library in the traceback).
LIBRARY_METHOD = re.compile(r"\b([A-Z]\w*)\.\w+\(\) (?:got an unexpected keyword|takes |missing )")


@dataclass(frozen=True)
class Cause:
    """A named reason: ``kind`` from a fixed vocabulary (see ``docs/repro.md``),
    a one-line ``message``, the cell concerned (0-based) and structured
    ``details`` (module, distribution, package, versions, path, rule id)."""

    kind: str
    message: str
    cell_index: int | None = None
    details: Mapping[str, str] = field(default_factory=dict)


def failure_causes(
    error: CellError,
    cell_index: int | None,
    node: Any,
    facts: NotebookFacts,
    analysis: Analysis | None = None,
    cwd: Path | None = None,
) -> tuple[Cause, ...]:
    """Causes of a failing cell's exception (empty when nothing specific is known)."""
    ename, evalue, where = error.ename, error.evalue, cell_index
    if ename == "ModuleNotFoundError" or (
        ename == "ImportError" and evalue.startswith("No module named")
    ):
        match = re.search(r"No module named '([^']+)'", evalue)
        if match:
            return (_missing_module(match.group(1), where),)
    if ename == "StdinNotImplementedError":
        return (
            Cause(
                "interactive-input",
                "the notebook asks for input(), which a non-interactive "
                "run cannot answer; make it a parameter",
                where,
            ),
        )
    if ename == "SystemExit":
        return (
            Cause(
                "sys-exit",
                f"the notebook calls sys.exit({evalue or ''}) and stops there; "
                "remove it so the notebook runs top to bottom",
                where,
            ),
        )
    if ename in {"FileNotFoundError", "IsADirectoryError"} or "No such file or directory" in evalue:
        match = re.search(r"No such file or directory: '([^']+)'", evalue)
        path = match.group(1) if match else evalue
        base = f" (relative to {cwd})" if cwd else ""
        return (
            Cause(
                "missing-data-file",
                f"data file {path!r} does not exist{base}",
                where,
                {"path": path},
            ),
        )
    if ename in NETWORK_ERRORS or NETWORK_TEXT.search(evalue) or "Connection" in ename:
        return (
            Cause(
                "network",
                f"network access failed ({ename}: {first_line(evalue, 160)}); "
                "download the data into the project or make it reachable",
                where,
            ),
        )
    if ename in SYNTAX_ERRORS:
        return (_syntax(error, where, node),)
    if ename == "NameError":
        match = re.search(r"name '([^']+)' is not defined", evalue)
        if match:
            return (_hidden_state(match.group(1), where, facts, analysis),)
    optional = OPTIONAL_MODULE.search(evalue)
    if optional and ename in {"ImportError", "ModuleNotFoundError"}:
        module = next(group for group in optional.groups() if group)
        return (_missing_module(module, where, needed_by=_package_of(error, facts)[0]),)
    drift = _drift(error, where, node, facts)
    if drift is not None:
        return (drift,)
    return ()


def _syntax(error: CellError, where: int | None, node: Any) -> Cause:
    """A cell that does not compile.  With IPython syntax in it (a magic, a shell
    escape) the installed IPython's input transformer is the package that changed."""
    cells = node.get("cells", ()) if node is not None else ()
    source = ""
    if where is not None and where < len(cells):
        source = "".join(cells[where].get("source", ""))
    magic = any(line.lstrip().startswith(("%", "!")) for line in source.splitlines())
    python = saved_with_python(node)
    saved = f"; the notebook was saved with Python {python}" if python else ""
    details = {"python_saved_with": python} if python else {}
    if magic:
        dist, installed = installed_version("IPython")
        details.update(package="IPython", distribution=dist or "ipython")
        if installed:
            details["installed"] = installed
        return Cause(
            "library-drift",
            f"library drift: the cell's IPython syntax (a magic or shell line) no longer "
            f"parses with IPython{f' {installed} (installed)' if installed else ''}{saved}: "
            f"{error.ename}: {first_line(error.evalue)}",
            where,
            details,
        )
    return Cause(
        "syntax",
        f"the cell does not compile{saved}: {error.ename}: {first_line(error.evalue)}",
        where,
        details,
    )


def _missing_module(module: str, where: int | None, needed_by: str | None = None) -> Cause:
    top = module.split(".")[0]
    dist = DISTRIBUTIONS.get(module) or DISTRIBUTIONS.get(top) or top
    details = {"module": module, "distribution": dist}
    by = ""
    if needed_by and needed_by != top:
        details["needed_by"] = needed_by
        by = f" (an optional dependency of {needed_by})"
    return Cause(
        "missing-module",
        f"module {top!r} is not installed in the kernel's environment{by}: pip install {dist}",
        where,
        details,
    )


def _hidden_state(
    name: str, where: int | None, facts: NotebookFacts, analysis: Analysis | None
) -> Cause:
    definers: tuple[int, ...] = ()
    if analysis is not None:
        definers = tuple(analysis.definers(name))
    later = [i for i in definers if where is None or i > where]
    if later:
        return Cause(
            "hidden-state",
            f"{name!r} is defined only in cell {later[0] + 1}, after cell "
            f"{(where or 0) + 1} uses it: the saved notebook ran out of order",
            where,
            {"name": name},
        )
    if name in facts.defined_names and not definers:
        return Cause(
            "hidden-state",
            f"{name!r} is not defined when cell {(where or 0) + 1} runs",
            where,
            {"name": name},
        )
    return Cause(
        "hidden-state",
        f"{name!r} is used but no cell defines it: it came from an earlier "
        "session (a deleted or edited cell); define it in the notebook",
        where,
        {"name": name},
    )


def _drift(error: CellError, where: int | None, node: Any, facts: NotebookFacts) -> Cause | None:
    """The package the exception came from (innermost third-party frame), with versions.

    ``library-drift`` for the errors an API change raises (``AttributeError``,
    ``TypeError``, ``ImportError``, ``ValueError``) or when the notebook says it
    was written with another version; else ``library-error`` (raised inside the
    package: a change in it or in the data it was given)."""
    package, site = _package_of(error, facts)
    if package is None:
        return None
    dist, installed = installed_version(package, site)
    written = written_with(node, package, facts)
    drift = error.ename in DRIFT_ERRORS or bool(written and written != installed)
    where_from = f"{package}{f' {installed} (installed)' if installed else ''}"
    message = (
        f"library drift: {error.ename} from {where_from}"
        if drift
        else f"{error.ename} raised inside {where_from}"
    )
    if written and written != installed:
        message += f"; the notebook was written with {package} {written}"
    python = saved_with_python(node)
    if python:
        message += f"; it was saved with Python {python}"
    details = {"package": package, "distribution": dist or package}
    if installed:
        details["installed"] = installed
    if written:
        details["written_with"] = written
    if python:
        details["python_saved_with"] = python
    kind = "library-drift" if drift else "library-error"
    return Cause(kind, f"{message}: {first_line(error.evalue)}", where, details)


def first_line(text: str, limit: int = 300) -> str:
    """The first non-blank line of an exception message (never cut before it)."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def saved_with_python(node: Any) -> str | None:
    """The Python version the notebook was saved with (``language_info.version``
    is the kernel language's, Python's for a Python notebook; never IPython's)."""
    meta = (node.get("metadata") or {}) if node is not None else {}
    info = meta.get("language_info") if isinstance(meta, Mapping) else None
    if not isinstance(info, Mapping) or str(info.get("name", "python")).lower() != "python":
        return None
    version = info.get("version")
    return version if isinstance(version, str) and version else None


def _innermost_frames(traceback: Sequence[str]) -> list[str]:
    """The traceback's frame headers after the last frame of the notebook's own code."""
    frames: list[str] = []
    for chunk in traceback:
        head = chunk.lstrip().split("\n", 1)[0]
        if head.startswith(("Cell In", "Input In")):
            frames = []
        elif head.startswith("File "):
            frames.append(head)
    return frames


def _package_of(error: CellError, facts: NotebookFacts) -> tuple[str | None, str | None]:
    """The innermost third-party package the exception came from, and its site-packages
    folder: the last site-packages frame after the notebook's own last frame; else a
    library class the message names (``NDFrame.fillna() got an unexpected keyword``)."""
    frames = [
        (m.group(2), m.group(1))
        for line in _innermost_frames(error.traceback)
        for m in SITE_FRAME.finditer(line)
    ]
    frames = [(pkg, site) for pkg, site in frames if pkg not in IGNORED_PACKAGES]
    if frames:
        return frames[-1]
    imported = {m.split(".")[0] for m in facts.imports.values()}
    method = LIBRARY_METHOD.search(error.evalue)
    if method and LIBRARY_CLASSES.get(method.group(1)) in imported:
        return LIBRARY_CLASSES[method.group(1)], None
    match = re.search(r"(?:module|from) '([A-Za-z_][\w.]*)'", error.evalue)
    top = match.group(1).split(".")[0] if match else None
    if top in imported and top not in IGNORED_PACKAGES:
        return top, None
    return None, None


def installed_version(package: str, site_dir: str | None = None) -> tuple[str | None, str | None]:
    """(distribution, version) providing import name ``package``, looked up in the
    ``site-packages`` folder the traceback points at when known."""
    try:
        if site_dir and Path(site_dir).expanduser().is_dir():
            for dist in metadata.distributions(path=[str(Path(site_dir).expanduser())]):
                top = (dist.read_text("top_level.txt") or "").split()
                name = dist.metadata["Name"] or ""
                if package in top or _norm(name) == _norm(package):
                    return name, dist.version
        names = metadata.packages_distributions().get(package) or [
            DISTRIBUTIONS.get(package, package)
        ]
        return names[0], metadata.version(names[0])
    except Exception:  # noqa: BLE001 - not installed here, or broken metadata
        return None, None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def written_with(node: Any, package: str, facts: NotebookFacts) -> str | None:
    """The version of ``package`` the notebook says it was written with: its
    ``harden.versions`` metadata, or a stored output of ``<alias>.__version__``
    or of ``pip freeze``/``watermark``."""
    meta = (node.get("metadata") or {}).get("harden", {}) if node is not None else {}
    versions = meta.get("versions") if isinstance(meta, Mapping) else None
    if isinstance(versions, Mapping) and isinstance(versions.get(package), str):
        return versions[package]
    aliases = [a for a, module in facts.imports.items() if module.split(".")[0] == package] + [
        package
    ]
    version = r"(\d+\.\d+(?:\.\d+)?(?:[a-z]+\d*)?)"
    for cell in node.get("cells", ()) if node is not None else ():
        text = "".join(_output_text(o) for o in cell.get("outputs", ()))
        if not text:
            continue
        source = "".join(cell.get("source", ""))
        if any(f"{alias}.__version__" in source for alias in aliases):
            match = re.search(version, text)
            if match:
                return match.group(1)
        match = re.search(rf"(?im)^\s*{re.escape(package)}\s*(?:==|:|\s)\s*v?{version}\s*$", text)
        if match:
            return match.group(1)
    return None


def _output_text(output: Mapping[str, Any]) -> str:
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    else:
        text = (output.get("data") or {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def difference_causes(
    differing: Sequence[int],
    findings: Iterable[Any],
    analysis: Analysis | None,
    input_changes: Sequence[Any],
) -> tuple[Cause, ...]:
    """Probable causes of differences in the cells ``differing`` (0-based, in order):
    changed inputs, then findings and clock reads in or before the last of them."""
    last = max(differing) if differing else -1
    causes = [
        Cause("input-changed", change.describe(), None, {"path": change.path})
        for change in input_changes
    ]
    for finding in findings:
        if finding.rule_id in CAUSE_KINDS and (
            finding.cell_index is None or finding.cell_index <= last
        ):
            where = f"cell {finding.cell_index + 1}: " if finding.cell_index is not None else ""
            causes.append(
                Cause(
                    CAUSE_KINDS[finding.rule_id],
                    f"{finding.rule_id} {finding.name}: {where}{finding.message}",
                    finding.cell_index,
                    {"rule": finding.rule_id},
                )
            )
    for call in getattr(analysis, "calls", ()) if analysis is not None else ():
        if call.qualified_name in CLOCK_CALLS and call.location.cell_index <= last:
            causes.append(
                Cause(
                    "clock",
                    f"cell {call.location.cell_index + 1} reads the clock "
                    f"({call.dotted}); its value changes on every run",
                    call.location.cell_index,
                    {"call": call.qualified_name},
                )
            )
    return tuple(causes)
