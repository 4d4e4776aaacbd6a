"""Errors of ``expect`` and ``validate``: one line naming the file and the problem."""

from __future__ import annotations

from harden.errors import HardenError


class SuiteError(HardenError):
    """A suite file is missing, unreadable, not GX JSON, or holds unknown expectation types."""


class DataError(HardenError):
    """The data to validate cannot be read: missing or unreadable file, missing
    table, a database that refuses the connection."""
