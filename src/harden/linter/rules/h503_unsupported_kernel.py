"""H503 unsupported-kernel."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation


class UnsupportedKernel(Rule):
    """The notebook's kernel language is not Python; the other rules are skipped.
    ## What it does
    Flags a notebook whose kernel language is not Python. It fires exactly when harden
    skips every other rule for the notebook, so a skipped notebook is never silent. A
    notebook without kernelspec or language metadata is assumed to be Python.

    ## Why is this bad?
    harden analyses, extracts and tests Python. A notebook in another language (R,
    Julia, Scala, SQL) gets none of its checks, so a clean result would say nothing
    about it; this finding makes that visible instead of silent.

    ## How to fix it
    Lint this notebook with a tool for its language, or exclude it from the harden run.
    """

    id = "H503"
    name = "unsupported-kernel"
    severity = Severity.ERROR
    language_agnostic = True

    valid = (
        Example("x = 1"),
        Example("x = 1", language="python", kernel="conda-env-ml-py"),
        Example("x = 1", language="", kernel=""),
    )
    invalid = (
        Example(
            "library(ggplot2)",
            language="R",
            kernel="ir",
            message="the notebook is written in R (kernel `ir`)",
            severity="error",
            expect=[(None, None)],
        ),
        Example("using DataFrames", language="julia", kernel="julia-1.9", expect=[(None, None)]),
        Example("val x = 1", language="", kernel="spylon-kernel-scala", expect=[(None, None)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        notebook = ctx.notebook
        if notebook.is_python:
            return
        language = notebook.language or "an unknown language"
        kernel = f" (kernel `{notebook.kernel_name}`)" if notebook.kernel_name else ""
        yield Violation(
            f"the notebook is written in {language}{kernel}, not Python: "
            "harden's other rules were not run"
        )
