"""``report.html``: one self-contained page (no network, inline CSS and SVG).

Every text from a notebook goes through :func:`html.escape` (``_e``); nothing
from a notebook ever lands inside the ``<script>`` (which is a fixed string) or
an attribute unescaped.  The page reads fine without JavaScript: the table is
already sorted worst first; the small inline script only makes its headers
sortable on click.  Printable: each notebook starts a new page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from harden.linter.finding import Finding
from harden.reporter.model import FrameSummary, NotebookReport, Report, ShownCell
from harden.reporter.readiness import Part
from harden.version import __version__

#: A cell longer than this shows only the lines around its findings.
FULL_CELL_LINES = 40
#: Lines of context shown around a highlighted line in a long cell.
CONTEXT_LINES = 4
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg2:#f6f8fa;--good:#1a7f37;--fair:#9a6700;--poor:#cf222e}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:70rem;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}h4{font-size:.95rem;margin:.8rem 0 .3rem}
.muted{color:var(--muted)}a{color:#0969da}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg2)}td.num,th.num{text-align:right}
th.sortable{cursor:pointer}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
.score{font-size:2.2rem;font-weight:700;margin:.2rem 0}.score small{font-size:1rem;color:var(--muted);font-weight:400}
.band-good{color:var(--good)}.band-fair{color:var(--fair)}.band-poor{color:var(--poor)}.band-none{color:var(--muted)}
.badge{display:inline-block;border-radius:.6rem;padding:0 .45rem;font-size:.8rem;font-weight:600;color:#fff;background:var(--muted)}
.sev-error .badge,.badge.sev-error{background:var(--poor)}.sev-warning .badge,.badge.sev-warning{background:var(--fair)}.sev-info .badge,.badge.sev-info{background:#0969da}
.st-reproduced{background:var(--good)}.st-differs,.st-nondeterministic{background:var(--fair)}.st-failed,.st-timeout,.st-kernel_died{background:var(--poor)}
pre{background:var(--bg2);border:1px solid var(--line);padding:.4rem .6rem;overflow-x:auto;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:.3rem 0}
pre .ln{display:inline-block;width:2.5em;color:var(--muted);user-select:none}
pre .hl{background:#fff1b8;display:inline-block;width:100%}
pre .add{color:var(--good)}pre .del{color:var(--poor)}pre .gap{color:var(--muted)}
ul.findings{list-style:none;padding-left:0;margin:.3rem 0}ul.findings li{margin:.25rem 0}
.fix{color:var(--muted)}ol.next-steps li{margin:.3rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
svg{vertical-align:middle}
@media print{body{max-width:none;padding:0;font-size:11pt}section.notebook{break-before:page}pre{white-space:pre-wrap;overflow:visible}a{color:inherit;text-decoration:none}th.sortable{cursor:auto}}
"""

#: Sorts the notebook table on a header click (Enter/Space too).  A fixed string:
#: no notebook text is ever put here.
SCRIPT = """
(function(){var t=document.getElementById("notebooks");if(!t||!t.tHead)return;
var hs=t.tHead.rows[0].cells;
Array.prototype.forEach.call(hs,function(th,i){th.tabIndex=0;th.classList.add("sortable");
function go(){var asc=th.getAttribute("aria-sort")!=="ascending";
Array.prototype.forEach.call(hs,function(h){h.removeAttribute("aria-sort")});
th.setAttribute("aria-sort",asc?"ascending":"descending");
var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[i].getAttribute("data-sort")||"",y=b.cells[i].getAttribute("data-sort")||"";
var nx=parseFloat(x),ny=parseFloat(y),c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
rows.forEach(function(r){body.appendChild(r)})}
th.addEventListener("click",go);
th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();go()}})})})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render(
    report: Report,
    title: str = "harden report",
    links: Mapping[str, str] | None = None,
    verdicts: Mapping[str, str] | None = None,
) -> str:
    """The page; with ``links`` (notebook path → address) an index: the table links
    each notebook to its own page (a handoff folder's ``report.html``) and the page
    holds no per-notebook sections.  ``verdicts`` (notebook path → word) adds a column."""
    notebooks = report.worst_first
    anchors = {id(nb): f"#nb-{n}" for n, nb in enumerate(report.notebooks, 1)}
    if links is not None:
        anchors = {id(nb): links.get(nb.path, "") for nb in report.notebooks}
    mode = "lint and a fresh-kernel run" if report.ran else "lint only (--no-run)"
    if report.checked:
        mode += ", extract --check"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="muted">{len(report.notebooks)} notebook(s) · {_e(mode)} · harden {_e(__version__)}</p>',
        "</header><main>",
        _table(notebooks, anchors, verdicts),
    ]
    if links is None:
        parts += [_notebook(nb, anchors[id(nb)][1:]) for nb in notebooks]
    parts += ["</main>", f"<script>{SCRIPT}</script>", "</body></html>", ""]
    return "\n".join(parts)


def _table(
    notebooks: Sequence[NotebookReport],
    anchors: dict[int, str],
    verdicts: Mapping[str, str] | None = None,
) -> str:
    rows = []
    for nb in notebooks:
        score = nb.readiness.score
        worst = _worst(nb.findings)
        repro = nb.repro.status if nb.repro is not None else ("error" if nb.error else "not run")
        rows.append(
            "<tr>"
            f'<td data-sort="{_e(nb.path)}">{_link(nb.path, anchors[id(nb)])}</td>'
            f'<td class="num band-{nb.readiness.band}" data-sort="{-1 if score is None else score}">'
            f"{'–' if score is None else score}</td>"
            + "".join(
                f'<td class="num" data-sort="{nb.count(s)}">{nb.count(s)}</td>'
                for s in ("error", "warning", "info")
            )
            + f'<td data-sort="{_e(repro)}">{_e(repro)}</td>'
            f'<td data-sort="{_e(worst[0] if worst else "")}">{_e(" ".join(worst[:2]) if worst else "none")}</td>'
            + _verdict(nb, verdicts)
            + "</tr>"
        )
    head = (
        '<th scope="col">Notebook</th><th scope="col" class="num" aria-sort="ascending">Readiness</th>'
        '<th scope="col" class="num">Errors</th><th scope="col" class="num">Warnings</th>'
        '<th scope="col" class="num">Info</th><th scope="col">Repro</th>'
        '<th scope="col">Worst finding</th>'
    ) + ('<th scope="col">Handoff</th>' if verdicts is not None else "")
    return (
        '<section id="summary"><h2>Notebooks, least ready first</h2>'
        '<table id="notebooks"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
        '<p class="muted">Readiness is 0–100 over the parts measured; each notebook\'s '
        + ("report" if verdicts is not None else "section")
        + " shows its breakdown. Click a column header to sort.</p></section>"
    )


def _verdict(nb: NotebookReport, verdicts: Mapping[str, str] | None) -> str:
    if verdicts is None:
        return ""
    word = verdicts.get(nb.path, "")
    return f'<td data-sort="{_e(word)}">{_e(word)}</td>'


def _link(text: str, href: str) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _worst(findings: Iterable[Finding]) -> tuple[str, str] | None:
    ordered = sorted(findings, key=lambda f: (_SEVERITY_RANK[f.severity.value], f.sort_key))
    if not ordered:
        return None
    first = ordered[0]
    return first.severity.value, f"{first.rule_id} {first.name}"


def _notebook(nb: NotebookReport, anchor: str) -> str:
    r = nb.readiness
    score = "–" if r.score is None else str(r.score)
    out = [
        f'<section class="notebook" id="{anchor}" data-path="{_e(nb.path)}">',
        f"<h2>{_e(nb.path)}</h2>",
    ]
    if nb.error:
        out.append(f'<p class="band-poor">Could not be read: {_e(nb.error)}</p>')
    out += [
        f'<p class="score band-{r.band}"><span class="score-value">{score}</span><small> / 100</small></p>',
        f'<p class="muted score-summary">{_e(r.summary)}</p>',
        _breakdown(r.parts),
    ]
    if nb.next_steps:
        out.append('<h3>Next steps</h3><ol class="next-steps">')
        out += [f"<li>{_e(step.text)}</li>" for step in nb.next_steps]
        out.append("</ol>")
    out.append(_repro(nb))
    out.append(_check(nb))
    out.append(_findings(nb))
    out.append(_facts(nb))
    out.append(_frames(nb.frames))
    out.append('<p><a href="#summary">Back to the table</a></p></section>')
    return "\n".join(part for part in out if part)


def _breakdown(parts: Sequence[Part]) -> str:
    rows = []
    for part in parts:
        if part.measured:
            value = part.value or 0.0
            bar = (
                '<svg width="100" height="10" role="img" aria-label="'
                f'{round(100 * value)} percent"><rect width="100" height="10" fill="#eaeef2"/>'
                f'<rect width="{round(100 * value)}" height="10" fill="#2da44e"/></svg>'
            )
            points = f"{part.points:g} / {part.weight}"
        else:
            bar, points = '<span class="muted">not measured</span>', f"– / {part.weight}"
        rows.append(
            f'<tr class="part" data-part="{part.key}"><td>{_e(part.label)}</td><td>{bar}</td>'
            f'<td class="num">{points}</td><td>{_e(part.detail)}'
            f'<br><span class="muted">{_e(part.explanation)}</span></td></tr>'
        )
    return (
        '<table class="breakdown"><thead><tr><th>Part</th><th>Share</th><th class="num">Points</th>'
        "<th>What was found · how it is scored</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _repro(nb: NotebookReport) -> str:
    result = nb.repro
    if result is None:
        return (
            '<h3>Reproducibility</h3><p class="muted">Not run (this report was made '
            "with --no-run, or the notebook could not be read).</p>"
            if not nb.error
            else ""
        )
    out = [
        '<h3>Reproducibility</h3><p class="repro">'
        f'<span class="badge st-{_e(result.status)}">{_e(result.status)}</span> {_e(result.message)}</p>'
    ]
    for warning in result.warnings:
        out.append(f'<p class="muted">warning: {_e(warning)}</p>')
    if result.causes:
        label = "Probable causes" if result.status in ("differs", "nondeterministic") else "Causes"
        out.append(f"<h4>{label}</h4><ul>")
        out += [f"<li>{_e(cause.message)}</li>" for cause in result.causes]
        out.append("</ul>")
    for cell in result.problem_cells:
        if cell.status == "failed":
            continue
        reason = f" ({_e(cell.reason)})" if cell.reason else ""
        out.append(f"<h4>Cell {cell.cell_index + 1}: {_e(cell.status)}{reason}</h4>")
        labels = (
            ("run 1", "a later run")
            if cell.status == "nondeterministic"
            else ("stored", "this run")
        )
        for diff in cell.diffs:
            if diff.severity != "error" and cell.status != "nondeterministic":
                continue
            out.append(f"<p>{_e(diff.message or diff.kind)}</p>")
            out.append('<pre class="diff">' + _diff_lines(diff.unified_diff, labels) + "</pre>")
    if result.error is not None and result.error.traceback:
        from harden.reproducer.report import TRACEBACK_LINES

        lines = [
            line for chunk in result.error.traceback for line in chunk.splitlines() if line.strip()
        ]
        out.append("<h4>Traceback (last lines)</h4>")
        out.append('<pre class="traceback">' + _e("\n".join(lines[-TRACEBACK_LINES:])) + "</pre>")
    return "\n".join(out)


def _diff_lines(diff: str, labels: tuple[str, str]) -> str:
    lines = []
    for line in diff.splitlines():
        if line == "--- expected":
            line = f"--- {labels[0]}"
        elif line == "+++ actual":
            line = f"+++ {labels[1]}"
        css = ""
        if line.startswith("+") and not line.startswith("+++"):
            css = "add"
        elif line.startswith("-") and not line.startswith("---"):
            css = "del"
        lines.append(f'<span class="{css}">{_e(line)}</span>' if css else _e(line))
    return "\n".join(lines)


def _check(nb: NotebookReport) -> str:
    if nb.check is None and nb.check_error is None:
        return ""
    out = ["<h3>Module check (extract --check)</h3>"]
    if nb.check is None:
        out.append(f"<p>{_e(nb.check_error)}</p>")
        return "\n".join(out)
    verdict = "agree" if nb.check.agree else "differ"
    out.append(f"<p>Notebook and module <strong>{verdict}</strong>.</p>")
    if nb.check.module_error:
        out.append(f"<pre>{_e(nb.check.module_error)}</pre>")
    if nb.check.differences:
        out.append("<ul>")
        out += [f"<li>{_e(v.where)}: {_e(v.detail)}</li>" for v in nb.check.differences]
        out.append("</ul>")
    return "\n".join(out)


def _findings(nb: NotebookReport) -> str:
    if nb.error:
        return ""
    total = len(nb.findings)
    out = [f"<h3>Findings ({total})</h3>"]
    if not total:
        out.append('<p class="muted">No findings.</p>')
        return "\n".join(out)
    shown = {cell.index: cell for cell in nb.cells}
    explained: set[str] = set()
    by_cell: dict[int | None, list[Finding]] = {}
    for finding in nb.findings:
        key = finding.cell_index if finding.cell_index in shown else None
        by_cell.setdefault(key, []).append(finding)
    if None in by_cell:
        out.append('<div class="cell" data-cell="notebook"><h4>Notebook</h4>')
        out.append(_finding_list(by_cell[None], explained))
        out.append("</div>")
    for index in sorted(k for k in by_cell if k is not None):
        cell = shown[index]
        count = f" [In {cell.execution_count}]" if cell.execution_count is not None else ""
        out.append(f'<div class="cell" data-cell="{cell.number}">')
        out.append(f"<h4>Cell {cell.number}{count}</h4>")
        out.append(_source(cell))
        out.append(_finding_list(by_cell[index], explained))
        out.append("</div>")
    return "\n".join(out)


def _finding_list(findings: Sequence[Finding], explained: set[str]) -> str:
    """The findings of one cell; a rule's fix is said once per notebook (at its first
    finding), so a rule firing 300 times does not repeat its fix 300 times."""
    items = []
    for f in findings:
        where = f"line {f.line}: " if f.line else ""
        fix = ""
        if f.rule_id not in explained:
            explained.add(f.rule_id)
            fix = f'<br><span class="fix">Fix: {_e(f.fix)}</span>'
        items.append(
            f'<li class="finding sev-{f.severity.value}" data-rule="{_e(f.rule_id)}">'
            f'<span class="badge">{f.severity.value}</span> <b>{_e(f.rule_id)}</b> '
            f"{_e(f.name)} — {_e(where)}{_e(f.message)}{fix}</li>"
        )
    return '<ul class="findings">' + "".join(items) + "</ul>"


def _source(cell: ShownCell) -> str:
    lines = cell.source.splitlines() or [""]
    marked = set(cell.lines)
    if len(lines) <= FULL_CELL_LINES or not marked:
        keep = set(range(1, len(lines) + 1))
    else:
        keep = {
            n
            for line in marked
            for n in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)
            if 1 <= n <= len(lines)
        }
    out, previous = [], 0
    for number in sorted(keep):
        if number != previous + 1:
            out.append(f'<span class="gap">   … {number - previous - 1} line(s)</span>')
        text = f'<span class="ln">{number}</span>{_e(lines[number - 1])}'
        out.append(f'<span class="hl">{text}</span>' if number in marked else text)
        previous = number
    if previous < len(lines):
        out.append(f'<span class="gap">   … {len(lines) - previous} line(s)</span>')
    return '<pre class="source"><code>' + "\n".join(out) + "</code></pre>"


def _facts(nb: NotebookReport) -> str:
    if nb.error:
        return ""
    f = nb.facts
    rows = [
        (
            "cells",
            f"{f.cells} ({f.code_cells} code, {f.markdown_cells} markdown), {f.code_lines} code lines",
        ),
        ("kernel", f.kernel or "not recorded"),
        ("execution order", f.execution_order),
        ("stored outputs", "yes" if f.has_outputs else "none"),
        ("imports", ", ".join(f.imports) or "none"),
        ("data files named", ", ".join(f.data_files) or "none found"),
        ("parameters", ", ".join(f.parameters) or "no parameters cell"),
        ("magics and shell lines", str(f.magics)),
    ]
    return (
        '<h3>What is known without running it</h3><dl class="facts">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
        + "</dl>"
    )


def _frames(frames: Sequence[FrameSummary]) -> str:
    """Per captured frame, a small histogram per numeric column (filled by handoff,
    whose instrumented run captures the frames; ``repro`` captures none)."""
    if not frames:
        return ""
    out = ["<h3>Data</h3>"]
    for frame in frames:
        source = f" — {_e(frame.source)}" if frame.source else ""
        out.append(f"<h4>{_e(frame.name)}: {frame.rows} rows{source}</h4>")
        out.append(
            '<table><thead><tr><th>Column</th><th>Type</th><th class="num">Nulls</th>'
            "<th>Range</th><th>Distribution</th></tr></thead><tbody>"
        )
        for column in frame.columns:
            span = (
                f"{column.minimum:g} … {column.maximum:g}"
                if column.minimum is not None and column.maximum is not None
                else ""
            )
            out.append(
                f"<tr><td>{_e(column.name)}</td><td>{_e(column.dtype)}</td>"
                f'<td class="num">{column.nulls}</td><td>{_e(span)}</td>'
                f"<td>{histogram(column.counts, column.name)}</td></tr>"
            )
        out.append("</tbody></table>")
        out.append(_suite(frame))
    return "\n".join(out)


def _suite(frame: FrameSummary) -> str:
    """The expectations generated from the frame, beside its profile (handoff)."""
    if not frame.suite and not frame.expectations:
        return ""
    verdict = {True: " — the frame passes it", False: " — the frame FAILS it", None: ""}
    head = (
        f"<details open><summary>Expectations ({len(frame.expectations)}) in "
        f"<code>{_e(frame.suite)}</code>{verdict[frame.validated]}</summary><ul>"
    )
    items = "".join(f"<li><code>{_e(line)}</code></li>" for line in frame.expectations)
    return head + items + "</ul></details>"


def histogram(counts: Sequence[int], label: str = "", width: int = 120, height: int = 28) -> str:
    """A small inline SVG bar chart of ``counts`` (equal-width bins)."""
    if not counts or max(counts) <= 0:
        return ""
    top = max(counts)
    bar = width / len(counts)
    rects = "".join(
        f'<rect x="{i * bar:.1f}" y="{height - height * c / top:.1f}" '
        f'width="{max(bar - 1, 0.5):.1f}" height="{height * c / top:.1f}"/>'
        for i, c in enumerate(counts)
        if c
    )
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="distribution of {_e(label)}"'
        f' fill="#57606a">{rects}</svg>'
    )


__all__ = ["histogram", "render"]
