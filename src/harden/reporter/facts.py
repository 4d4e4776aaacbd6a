"""What the report knows without running: static facts and the cells it shows, redacted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harden.analysis import Analysis
from harden.analysis.secrets import cell_secrets
from harden.linter.finding import Finding
from harden.notebook import Notebook
from harden.reporter.model import ShownCell, StaticFacts
from harden.secrets import redact_text

#: A string literal longer than this is not a file name (and is not stat'ed).
MAX_PATH_CHARS = 260


def static_facts(notebook: Notebook, analysis: Analysis) -> StaticFacts:
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code if cell.execution_count is not None]
    if not counts:
        order = "not run"
    elif counts == sorted(counts) and len(set(counts)) == len(counts):
        order = "in order" if len(counts) == len(code) else "in order, some cells not run"
    else:
        order = "out of order"
    modules = {
        (imp.module or imp.target).split(".")[0]
        for imp in analysis.imports
        if (imp.module or imp.target) and not (imp.module or imp.target).startswith(".")
    }
    return StaticFacts(
        cells=len(notebook.cells),
        code_cells=len(code),
        markdown_cells=sum(1 for cell in notebook.cells if cell.cell_type == "markdown"),
        code_lines=sum(cell.code_lines for cell in analysis.cells),
        kernel=notebook.kernel_name,
        imports=tuple(sorted(m for m in modules if m)),
        data_files=_data_files(notebook, analysis),
        parameters=tuple(p.name for p in analysis.parameters),
        magics=len(analysis.magics),
        has_outputs=any(cell.outputs for cell in code),
        execution_order=order,
    )


def _data_files(notebook: Notebook, analysis: Analysis) -> tuple[str, ...]:
    """String literals naming a file that exists next to the notebook (what it likely reads)."""
    folder = Path(notebook.path).parent
    found: dict[str, None] = {}
    for cell in analysis.cells:
        for string in cell.strings:
            value = string.value
            if not value or len(value) > MAX_PATH_CHARS or "\n" in value or "\x00" in value:
                continue
            try:
                if (folder / value).is_file():
                    found[redact_text(value)] = None
            except (OSError, ValueError):
                continue
    return tuple(found)


def shown_cells(
    notebook: Notebook, analysis: Analysis | None, findings: Iterable[Finding]
) -> tuple[ShownCell, ...]:
    """The cells findings point at, sources redacted, with the lines to highlight."""
    lines: dict[int, set[int]] = {}
    for finding in findings:
        if finding.cell_index is None:
            continue
        marked = lines.setdefault(finding.cell_index, set())
        if finding.line:
            end = finding.end_line or finding.line
            marked.update(range(finding.line, max(end, finding.line) + 1))
    shown = []
    for index in sorted(lines):
        if not 0 <= index < len(notebook.cells):
            continue
        cell = notebook.cells[index]
        shown.append(
            ShownCell(
                index=index,
                cell_type=cell.cell_type,
                source=redacted_source(cell.index, cell.source, analysis),
                execution_count=cell.execution_count,
                lines=tuple(sorted(lines[index])),
            )
        )
    return tuple(shown)


def redacted_source(index: int, source: str, analysis: Analysis | None) -> str:
    """A cell's source with every secret the analysis knows of, and every known format, redacted."""
    cell = analysis.cell(index) if analysis is not None else None
    secrets = [secret for secret, _ in cell_secrets(cell)] if cell is not None else []
    return redact_text(source, secrets)


__all__ = ["redacted_source", "shown_cells", "static_facts"]
