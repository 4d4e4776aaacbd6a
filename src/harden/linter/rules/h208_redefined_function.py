"""H208 redefined-function."""

from __future__ import annotations

from collections.abc import Iterator

from harden.analysis.model import Definition
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md


class RedefinedFunction(Rule):
    """The same function or class name is defined in more than one cell.
    ## What it does
    Flags a function or class defined again in a later cell (also a function replaced by
    a class of the same name), at each redefinition after the first. Several definitions
    in one cell (`if`/`else` variants, `@overload`) are not flagged.

    ## Why is this bad?
    The cells between the two definitions ran the old version, the cells after run the
    new one, and which one a re-run uses depends on execution order. When the notebook
    becomes a module only one definition survives, so results computed with the other
    cannot be reproduced.

    ## How to fix it
    Keep one definition (edit it in place) or give the new version its own name.
    """

    id = "H208"
    name = "redefined-function"
    severity = Severity.WARNING

    valid = (
        Example("def clean(df):\n    return df", "def load():\n    return 1", "clean(load())"),
        Example(
            "import sys\nif sys.version_info >= (3, 11):\n    def f():\n        return 1\n"
            "else:\n    def f():\n        return 2"
        ),
        Example(
            "class A:\n    def run(self):\n        pass",
            "class B:\n    def run(self):\n        pass",
        ),
        Example(
            "def outer():\n    def helper():\n        return 1\n    return helper()",
            "def helper():\n    return 2",
        ),
    )
    invalid = (
        Example(
            "def clean(df):\n    return df",
            md("## v2"),
            "x = 1\n\ndef clean(df):\n    return df.dropna()",
            expect=[(2, 3)],
        ),
        Example(
            "class Model:\n    pass",
            "def Model():\n    return 1",
            "@decorate\nclass Model:\n    pass",
            expect=[(1, 1), (2, 2)],
        ),
        Example(
            "def f():\n    return 1\ndef f():\n    return 2",
            "def f():\n    return 3",
            expect=[(1, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        first: dict[str, Definition] = {}
        for cell in ctx.analysis.cells:
            seen_here: set[str] = set()
            for definition in cell.definitions:
                name = definition.name
                if name in seen_here:
                    continue
                seen_here.add(name)
                earlier = first.setdefault(name, definition)
                if earlier.location.cell_index != cell.index:
                    same = (
                        "it"
                        if earlier.kind == definition.kind
                        else f"a {earlier.kind} of that name"
                    )
                    yield Violation.at(
                        definition.location,
                        f"{definition.kind} `{name}` is defined again; cell "
                        f"{earlier.location.cell_index + 1} already defines "
                        f"{same}, and this one silently replaces it",
                        related_cells=(earlier.location.cell_index,),
                    )
