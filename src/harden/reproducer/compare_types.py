"""The comparer's values: its options and what it reports (all frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from typing import Literal

from harden.errors import ConfigError
from harden.reproducer.normalize import DEFAULT_NORMALIZERS, Normalizer

__all__ = [
    "CellComparison",
    "CellStatus",
    "CompareOptions",
    "DiffSeverity",
    "ImageMode",
    "OutputDiff",
]

CellStatus = Literal["same", "differs", "skipped", "expected-error", "info"]
DiffSeverity = Literal["error", "info"]
ImageMode = Literal["size", "perceptual", "ignore"]


@dataclass(frozen=True)
class CompareOptions:
    """How to compare.  Invalid values raise :class:`~harden.errors.ConfigError`.

    Numbers in texts are equal when ``math.isclose(a, b, rel_tol, abs_tol)``
    (two integers must be equal).  ``compare_stderr=False`` makes differences
    on stderr ``info``; warnings on stderr are always compared apart, as
    ``info``.  Images are compared by size (``image_mode="size"``), also by
    content (``"perceptual"``: mean pixel difference above
    ``perceptual_threshold``, 0–1, needs Pillow) or not at all (``"ignore"``);
    a changed image is reported with ``image_severity``.  Each diff is capped
    at ``max_diff_lines`` lines.
    """

    rel_tol: float = 1e-6
    abs_tol: float = 1e-12
    normalizers: tuple[Normalizer, ...] = DEFAULT_NORMALIZERS
    image_mode: ImageMode = "size"
    image_severity: DiffSeverity = "info"
    perceptual_threshold: float = 0.01
    compare_stderr: bool = True
    max_diff_lines: int = 60

    def __post_init__(self) -> None:
        if not (self.rel_tol >= 0 and self.abs_tol >= 0):
            raise ConfigError(
                f"tolerances must be >= 0 (rel_tol={self.rel_tol}, abs_tol={self.abs_tol})"
            )
        if self.image_mode not in ("size", "perceptual", "ignore"):
            raise ConfigError(
                f"image_mode must be size, perceptual or ignore, not {self.image_mode!r}"
            )
        if self.image_severity not in ("error", "info"):
            raise ConfigError(f"image_severity must be error or info, not {self.image_severity!r}")
        if self.image_mode == "perceptual" and find_spec("PIL") is None:
            raise ConfigError("image_mode='perceptual' needs Pillow: pip install pillow")
        if not 0 <= self.perceptual_threshold <= 1:
            raise ConfigError("perceptual_threshold must be between 0 and 1")
        if self.max_diff_lines < 4:
            raise ConfigError("max_diff_lines must be at least 4")


@dataclass(frozen=True)
class OutputDiff:
    """One difference within a cell.

    ``kind`` is ``stdout``, ``stderr``, ``warnings`` (warnings on stderr),
    another stream's name, ``execute_result``, ``display_data``, ``image``,
    ``error`` or ``cell`` (the cell is missing from the actual notebook).
    ``output_index`` is the output's index in the actual cell, or in the
    reference cell when the actual run lacks it; ``None`` for a missing cell.
    ``expected`` and ``actual`` are the normalised texts (capped at 20,000
    characters); ``unified_diff`` shows what changed (``?`` lines mark changed
    characters); ``message`` says it in one line.  Only ``severity="error"``
    makes a cell ``differs``.
    """

    output_index: int | None
    kind: str
    expected: str
    actual: str
    unified_diff: str
    severity: DiffSeverity
    message: str = ""


@dataclass(frozen=True)
class CellComparison:
    """The comparison of one code cell of the reference notebook.

    ``cell_index`` is 0-based among all cells of the reference (markdown
    included), not counting cells papermill added, so it is the position in
    the input notebook; ``actual_index`` is the position of the matching cell
    in the actual notebook (all cells counted), ``None`` when it has none.
    ``status``: ``same``; ``differs`` (some diff has severity error);
    ``info`` (only info diffs); ``expected-error`` (the cell raised as
    expected; may carry info diffs); ``skipped`` (see ``reason``).
    ``normalized``: the library-drift normalisers (names) without which an
    output of this cell would have differed.
    """

    cell_index: int
    cell_id: str | None
    status: CellStatus
    diffs: tuple[OutputDiff, ...] = ()
    reason: str = ""
    actual_index: int | None = None
    normalized: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """True when the cell does not reproduce (status ``differs``)."""
        return self.status == "differs"
