"""One exception hierarchy for everything harden reports as a user-facing error.

Every error harden raises on purpose is a :class:`HardenError`.  The CLI maps
any of them to exit code 2 and prints :meth:`HardenError.one_line`; anything
else escaping the library is a bug.
"""

from __future__ import annotations

from pathlib import Path


class HardenError(Exception):
    """Root of harden's errors.

    ``path`` names the file concerned (when there is one) and ``problem`` says
    what is wrong with it, in one line, without a traceback.
    """

    exit_code: int = 2

    def __init__(self, problem: str, path: str | Path | None = None) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        # Keep ``problem`` and ``path`` when results cross process boundaries.
        return (type(self), (self.problem, self.path))

    def one_line(self) -> str:
        text = " ".join(self.problem.split())
        return f"{self.path}: {text}" if self.path else text


class UsageError(HardenError):
    """The command line or the configuration asks for something impossible."""


class ConfigError(HardenError):
    """A ``[tool.harden]`` table or a rule pack is invalid."""


class NotebookError(HardenError):
    """A notebook cannot be read: missing, unreadable, not JSON, not a notebook."""


class UnsupportedFormatError(NotebookError):
    """The file is a notebook, but in a format version harden cannot read."""


class OutputExistsError(HardenError):
    """Writing would overwrite a file a person may have edited (use ``--force``)."""


class ExtractionError(HardenError):
    """The notebook cannot be extracted as it is: execution-state problems
    (hidden state, syntax errors) or code with no Python equivalent (``!ls``,
    ``%run``, ``%%bash``).  The message says what to do."""


class RuleError(HardenError):
    """A lint rule failed on a notebook: a bug in harden (or in a plugin rule),
    reported for that notebook while the others are still linted."""
