"""``harden extract``: a notebook becomes a module that computes what the notebook computed.

:func:`extract` analyses the notebook (never running it) and returns an
:class:`Extraction`: the module source (libcst-built, black-formatted,
compiling), the log of what was dropped, moved or changed, and the step
plan.  :func:`write_extraction` writes it; :func:`check_extraction` runs
both the notebook and the module and compares their key results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harden.errors import UsageError
from harden.extractor.check import CheckResult, check, check_against_run, check_captures
from harden.extractor.core import extract
from harden.extractor.model import (
    Extraction,
    FunctionChange,
    LogEntry,
    ParameterSpec,
    Plan,
    Step,
)
from harden.manifests import WriteResult, write_files

#: What ``write_extraction`` wrote into a folder (:mod:`harden.manifests`).
MANIFEST = ".harden-extract.json"


def write_extraction(
    extraction: Extraction, directory: str | Path | None = None, *, force: bool = False
) -> WriteResult:
    """Write the module, its log and requirements into ``directory`` (default:
    the notebook's folder).  Hand-edited files are kept unless ``force``."""
    folder = Path(directory) if directory is not None else Path(extraction.notebook_path).parent
    source = Path(extraction.notebook_path).resolve()
    for name in extraction.files():
        if (folder / name).resolve() == source:
            raise UsageError(
                f"writing {name} would overwrite the notebook itself; choose "
                "another --module-name or --output-dir"
            )
    return write_files(folder, extraction.files(), force=force, manifest_name=MANIFEST)


def check_extraction(extraction: Extraction, **options: Any) -> CheckResult:
    """Run the notebook (papermill, fresh kernel) and the module (fresh process)
    and compare their key results, step by step."""
    return check(extraction, **options)


__all__ = [
    "MANIFEST",
    "Extraction",
    "FunctionChange",
    "LogEntry",
    "ParameterSpec",
    "Plan",
    "Step",
    "WriteResult",
    "check_against_run",
    "check_captures",
    "check_extraction",
    "extract",
    "write_extraction",
]
