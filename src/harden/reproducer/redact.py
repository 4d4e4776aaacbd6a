"""Secrets never reach a repro report: diffs, errors and messages are redacted.

A stored output may print a token (``{'token': 'ghp_…'}``); the diff of that
cell would copy it into the report, the JUnit file and the CI log.  Every text
of a :class:`~harden.reproducer.repro.ReproResult` goes through lint's secret
detectors (known formats such as ``ghp_``/``AKIA`` keys, and quoted
``name = 'value'`` pairs with a secret-like name); each secret found anywhere
in the result is replaced everywhere by its redacted form (``ghp_…(40 chars)``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harden.secrets import redact_text, text_secrets


def redact_result(result: Any) -> Any:
    """``result`` with every secret in its texts redacted (unchanged when there is none)."""
    texts = [result.message, *(c.message for c in result.causes)]
    for cell in result.cells:
        texts += [cell.reason] + [
            t for d in cell.diffs for t in (d.expected, d.actual, d.unified_diff)
        ]
    if result.error is not None:
        texts += [result.error.evalue, *result.error.traceback]
    secrets = {s.value: s for text in texts if text for s in text_secrets(text)}
    joined = "\n".join(t for t in texts if t)
    if not secrets and redact_text(joined) == joined:
        return result

    def clean(text: str) -> str:
        return redact_text(text, secrets.values()) if text else text

    cells = tuple(
        replace(
            cell,
            reason=clean(cell.reason),
            diffs=tuple(
                replace(
                    d,
                    expected=clean(d.expected),
                    actual=clean(d.actual),
                    unified_diff=clean(d.unified_diff),
                )
                for d in cell.diffs
            ),
        )
        for cell in result.cells
    )
    error = result.error
    if error is not None:
        error = replace(
            error, evalue=clean(error.evalue), traceback=tuple(clean(t) for t in error.traceback)
        )
    causes = tuple(replace(c, message=clean(c.message)) for c in result.causes)
    return replace(result, message=clean(result.message), cells=cells, error=error, causes=causes)
