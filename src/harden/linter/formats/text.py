"""Human-readable lint output: grouped by notebook, source line with a caret, a summary.

One finding looks like this (cells are shown 1-based, lines and columns are
1-based within the cell)::

    notebooks/x.ipynb  cell 4, line 3, col 5  H101 unseeded-randomness [warning]
      numpy.random.rand is called but numpy is never seeded
       3 | x = np.random.rand(10)
         |     ^^^^^^^^^^^^^^
      fix: call numpy.random.seed(...) once, in the first code cell

A notebook that could not be linted is one line, ``path: error: problem``,
and the last line sums everything up.  The helpers that name a location or
count findings are shared with the machine-readable formats so that all of
them say the same thing in the same words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harden.linter.finding import Finding, LintResult, RuleInfo, Severity

#: Severities from the most to the least serious; the order counts are shown in.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)

_RESET = "\x1b[0m"
_BOLD = "1"
_SEVERITY_STYLE = {
    Severity.ERROR: "1;31",
    Severity.WARNING: "1;33",
    Severity.INFO: "1;34",
}
_LOCATION_STYLE = "36"
_GUTTER_STYLE = "34"
_FIX_STYLE = "1;32"
_TAB = "    "


# --------------------------------------------------------------------------- shared helpers


def sorted_findings(result: LintResult) -> list[Finding]:
    """The result's findings in reading order: notebook-level first, then by cell, line, column."""
    return sorted(result.findings, key=lambda f: f.sort_key)


def location_label(finding: Finding) -> str:
    """``cell 4 [In 2], line 3, col 5`` (cell 1-based among all cells, then the execution
    count when the cell was run) or ``notebook`` for a notebook-level finding."""
    if finding.cell_number is None:
        return "notebook"
    run = f" [In {finding.execution_count}]" if finding.execution_count is not None else ""
    parts = [f"cell {finding.cell_number}{run}"]
    if finding.line is not None:
        parts.append(f"line {finding.line}")
        if finding.column is not None:
            parts.append(f"col {finding.column}")
    return ", ".join(parts)


def one_line(text: str) -> str:
    """Collapse whitespace runs (newlines included) to single spaces."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Tally:
    """Counts over a batch of results, as every format's summary reports them."""

    notebooks: int
    notebooks_with_errors: int
    by_severity: dict[Severity, int]
    failing: int

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())


def tally(results: Sequence[LintResult], fail_on: Severity) -> Tally:
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    failing = 0
    for result in results:
        for finding in result.findings:
            counts[finding.severity] += 1
            failing += fail_on <= finding.severity
    return Tally(
        notebooks=len(results),
        notebooks_with_errors=sum(r.error is not None for r in results),
        by_severity=counts,
        failing=failing,
    )


def printable(text: str) -> str:
    """Replace control characters (an ESC in a notebook must not drive the terminal)."""
    return "".join(_printable_char(ch) for ch in text)


# --------------------------------------------------------------------------- rendering


#: A rule's findings shown in full per notebook before the rest are collapsed.
SHOWN_PER_RULE = 3


def render(
    results: Sequence[LintResult],
    rules: Sequence[RuleInfo],
    *,
    color: bool,
    fail_on: Severity,
    show_all: bool = False,
) -> str:
    """Render lint results as text for a person; ANSI colour only when ``color``.

    Within a notebook, a rule's findings after the third are collapsed into one
    line naming how many more and in which cells (``show_all`` shows them all),
    so a rule that fires everywhere cannot bury the others.
    """
    del rules  # every finding already carries its rule's name and fix
    paint = _Painter(color)
    blocks: list[str] = []
    for result in results:
        if result.error is not None:
            blocks.append(
                f"{paint(printable(result.path), _BOLD)}: "
                f"{paint('error', _SEVERITY_STYLE[Severity.ERROR])}: "
                f"{printable(one_line(result.error.problem))}"
            )
        findings = sorted_findings(result)
        hidden = {} if show_all else _collapsed(findings)
        for finding in findings:
            if id(finding) in hidden:
                more = hidden[id(finding)]
                if more:
                    blocks.append(_more_line(finding, more, paint))
                continue
            blocks.append(_render_finding(finding, paint))
    blocks.append(_summary(results, fail_on, paint))
    return "\n\n".join(blocks) + "\n"


def _collapsed(findings: Sequence[Finding]) -> dict[int, list[Finding]]:
    """``id(finding)`` of each finding not shown → the findings its line stands for
    (the first hidden finding of a rule carries them all, the others an empty list)."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    hidden: dict[int, list[Finding]] = {}
    for group in by_rule.values():
        rest = group[SHOWN_PER_RULE:]
        for position, finding in enumerate(rest):
            hidden[id(finding)] = rest if position == 0 else []
    return hidden


def _more_line(first: Finding, more: Sequence[Finding], paint: _Painter) -> str:
    numbers = sorted({f.cell_number for f in more if f.cell_number is not None})
    if not numbers:
        where = ""
    elif len(numbers) == 1:
        where = f" in cell {numbers[0]}"
    else:
        where = f" in cells {numbers[0]}-{numbers[-1]}"
    return (
        f"{paint(printable(first.path), _BOLD)}  ... and {len(more)} more "
        f"{paint(first.rule_id, _SEVERITY_STYLE[first.severity])} {first.name}{where} "
        "(--show-all shows them)"
    )


def statistics(results: Sequence[LintResult]) -> list[tuple[str, str, str, int]]:
    """``(rule id, name, worst severity, count)`` per rule that fired, most frequent first."""
    counts: dict[str, tuple[str, Severity, int]] = {}
    for result in results:
        for finding in result.findings:
            name, worst, count = counts.get(finding.rule_id, (finding.name, finding.severity, 0))
            counts[finding.rule_id] = (name, max(worst, finding.severity), count + 1)
    rows = [(rule, name, worst.value, n) for rule, (name, worst, n) in counts.items()]
    return sorted(rows, key=lambda row: (-row[3], row[0]))


def render_statistics(results: Sequence[LintResult]) -> str:
    """Counts per rule, like ``ruff --statistics``."""
    rows = statistics(results)
    if not rows:
        return "No findings.\n"
    width = max(len(str(n)) for *_, n in rows)
    return "".join(
        f"{str(n).rjust(width)}  {rule}  {name} [{severity}]\n" for rule, name, severity, n in rows
    )


def _render_finding(finding: Finding, paint: _Painter) -> str:
    style = _SEVERITY_STYLE[finding.severity]
    header = (
        f"{paint(printable(finding.path), _BOLD)}  "
        f"{paint(location_label(finding), _LOCATION_STYLE)}  "
        f"{paint(finding.rule_id, style)} {finding.name} "
        f"{paint(f'[{finding.severity.value}]', style)}"
    )
    lines = [header]
    lines.extend(f"  {printable(text)}" for text in finding.message.strip().splitlines())
    if finding.snippet is not None and finding.snippet.strip():
        lines.extend(_excerpt(finding, paint))
    if finding.fix.strip():
        lines.append(f"  {paint('fix:', _FIX_STYLE)} {printable(one_line(finding.fix))}")
    return "\n".join(lines)


def _excerpt(finding: Finding, paint: _Painter) -> list[str]:
    """The snippet under a line-number gutter, and a caret line when the column is known."""
    assert finding.snippet is not None
    source = finding.snippet.splitlines()[0] if finding.snippet.splitlines() else ""
    number = "" if finding.line is None else str(finding.line)
    width = max(len(number), 1)
    shown = "".join(_printable_char(ch) for ch in source).rstrip()
    lines = [f"  {paint(number.rjust(width) + ' |', _GUTTER_STYLE)} {shown}"]
    if finding.column is not None and finding.column >= 1:
        start = min(finding.column - 1, len(source))
        end = start + 1
        if finding.end_column is not None and finding.end_line in (None, finding.line):
            end = max(end, min(finding.end_column - 1, len(source)))
        elif (
            finding.end_line is not None
            and finding.line is not None
            and finding.end_line > finding.line
        ):
            end = max(end, len(source.rstrip()))
        pad = _width(source[:start])
        carets = "^" * max(_width(source[start:end]), 1)
        gutter = paint(" " * width + " |", _GUTTER_STYLE)
        lines.append(f"  {gutter} {' ' * pad}{paint(carets, _SEVERITY_STYLE[finding.severity])}")
    return lines


def _summary(results: Sequence[LintResult], fail_on: Severity, paint: _Painter) -> str:
    counts = tally(results, fail_on)
    notebooks = _plural(counts.notebooks, "notebook")
    unreadable = (
        f" ({counts.notebooks_with_errors} could not be linted)"
        if counts.notebooks_with_errors
        else ""
    )
    if counts.notebooks and counts.notebooks == counts.notebooks_with_errors:
        return paint(f"Nothing was linted: {notebooks} could not be read.", _BOLD)
    if not counts.findings:
        return paint(f"No findings in {notebooks}{unreadable}.", _BOLD)
    per_severity = ", ".join(
        paint(_severity_count(n, severity), _SEVERITY_STYLE[severity] if n else _BOLD)
        for severity, n in counts.by_severity.items()
    )
    failing = f"{counts.failing}" if counts.failing else "none"
    text = (
        f"{paint('Found', _BOLD)} {per_severity} {paint(f'in {notebooks}{unreadable}', _BOLD)}; "
        f'{failing} at or above fail-on "{fail_on.value}".'
    )
    if any(f.cell_index is not None for r in results for f in r.findings):
        text += " Cells are numbered from 1."
    return text


def _severity_count(n: int, severity: Severity) -> str:
    word = severity.value
    return f"{n} {word}" if severity is Severity.INFO or n == 1 else f"{n} {word}s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Painter:
    """Wraps text in ANSI SGR codes, or does nothing when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{style}m{text}{_RESET}"


def _printable_char(ch: str) -> str:
    if ch == "\t":
        return _TAB
    # Cc: ESC and friends; Cf: bidi overrides (Trojan Source) but keep the emoji joiner.
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch != "\u200d":
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def _width(text: Iterable[str]) -> int:
    """Terminal columns the text takes once shown (wide East Asian characters count 2)."""
    total = 0
    for ch in text:
        shown = _printable_char(ch)
        if shown != ch:
            total += len(shown)
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 2
        else:
            total += 1
    return total
