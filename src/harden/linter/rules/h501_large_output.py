"""H501 large-output."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code


def _stream(size: int) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": "x" * size}


def _image(size: int) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": "A" * size, "text/plain": "<Figure>"},
    }


def output_bytes(outputs: Any) -> int:
    return len(json.dumps(list(outputs), ensure_ascii=False).encode("utf-8"))


def human(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def _largest_kind(outputs: Any) -> str:
    """The mime type (or stream/error) that takes most of the space."""
    sizes: dict[str, int] = {}
    for output in outputs:
        data = output.get("data") if isinstance(output, Mapping) else None
        if isinstance(data, Mapping):
            for mime, value in data.items():
                sizes[mime] = sizes.get(mime, 0) + output_bytes([value])
        else:
            kind = str(output.get("output_type", "output")) if isinstance(output, Mapping) else "?"
            sizes[kind] = sizes.get(kind, 0) + output_bytes([output])
    largest = max(sizes, key=lambda k: sizes[k]) if sizes else "output"
    return {"stream": "printed text", "error": "tracebacks"}.get(largest, largest)


class LargeOutput(Rule):
    """A cell's stored outputs, or the notebook file, are larger than a threshold.
    ## What it does
    Flags a code cell whose stored outputs are larger than `max-output-bytes`, and a
    notebook file larger than `max-notebook-bytes`.

    A cell's outputs are measured as the UTF-8 size of their JSON serialisation (what
    they add to the file, give or take indentation); the notebook as the size of the
    file on disk.

    ## Why is this bad?
    Large stored outputs (images, whole DataFrames printed, training logs) make the
    notebook slow to open, diff and review, bloat the repository with every commit, and
    can carry data that should not be in version control.

    ## How to fix it
    Clear the outputs before committing (`jupyter nbconvert --clear-output`, or
    nbstripout), print summaries instead of whole tables, save figures to files.
    """

    id = "H501"
    name = "large-output"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {
        "max-output-bytes": 1_000_000,
        "max-notebook-bytes": 10_000_000,
    }

    valid = (
        Example(code("print('hi')", 1, outputs=[_stream(100)])),
        Example(code("df", 1, outputs=[_stream(900)]), options={"max-output-bytes": 1000}),
        Example(code("x = 1"), size_bytes=10_000_000),
    )
    invalid = (
        Example(
            code("x = 1", 1),
            code("plot()", 2, outputs=[_image(5000)]),
            options={"max-output-bytes": 1000},
            expect=[(1, None)],
        ),
        Example(
            code("for i in range(10**5):\n    print(i)", 1, outputs=[_stream(3000)]),
            options={"max-output-bytes": 2000},
            expect=[(0, None)],
        ),
        Example(code("x = 1", 1), size_bytes=12_000_000, expect=[(None, None)]),
        Example(
            code("a", 1, outputs=[_stream(600)]),
            code("b", 2, outputs=[_stream(2000)]),
            options={"max-output-bytes": 500, "max-notebook-bytes": 1000},
            size_bytes=4000,
            expect=[(None, None), (0, None), (1, None)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        limit = int(ctx.option("max-output-bytes"))
        file_limit = int(ctx.option("max-notebook-bytes"))
        size = ctx.notebook.size_bytes
        if size > file_limit:
            yield Violation(f"the notebook file is {human(size)} (limit {human(file_limit)})")
        for cell in ctx.notebook.code_cells:
            if not cell.outputs:
                continue
            stored = output_bytes(cell.outputs)
            if stored > limit:
                yield Violation(
                    f"stored outputs are {human(stored)} (limit {human(limit)}), mostly "
                    f"{_largest_kind(cell.outputs)}",
                    cell.index,
                )
