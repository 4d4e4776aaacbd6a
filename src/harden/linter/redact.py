"""The engine-wide safety net: no finding carries a secret to an output (DESIGN: Safety)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from harden.analysis.model import Analysis
from harden.analysis.secrets import cell_secrets
from harden.linter.finding import Finding
from harden.secrets import Secret, redact_text


def redact_findings(findings: Iterable[Finding], analysis: Analysis) -> list[Finding]:
    """Every finding's message and snippet with secrets redacted, whatever the rule.

    Any rule may show a source line or quote a value; known-format secrets and
    the secrets the source gives to secret-like names never reach an output.
    """
    cache: dict[int, list[Secret]] = {}
    out = []
    for finding in findings:
        secrets: list[Secret] = []
        if finding.cell_index is not None and finding.snippet is not None:
            if finding.cell_index not in cache:
                cell = analysis.cell(finding.cell_index)
                cache[finding.cell_index] = [s for s, _ in cell_secrets(cell)] if cell else []
            secrets = cache[finding.cell_index]
        message = redact_text(finding.message, secrets)
        snippet = redact_text(finding.snippet, secrets) if finding.snippet else finding.snippet
        if (message, snippet) != (finding.message, finding.snippet):
            finding = replace(finding, message=message, snippet=snippet)
        out.append(finding)
    return out


__all__ = ["redact_findings"]
