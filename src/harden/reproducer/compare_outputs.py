"""Output-by-output comparison within one cell.

:class:`OutputComparer` merges every stream's chunks first (the kernel splits
them differently between runs), then compares stdout, stderr (its warnings
apart, as ``info``), rich outputs and errors, after the normalisers and with
numbers within a tolerance.  Rich outputs (``execute_result``/``display_data``)
are paired in order and compared by their richest comparable representation:

1. an image (PNG, JPEG, GIF, SVG) on either side: by size (and optionally
   content); the figure's ``text/plain`` placeholder is not compared;
2. HTML on both sides: the visible text, tables as rows of cells;
3. ``text/plain`` on both sides;
4. HTML on one side, ``text/plain`` on the other (a DataFrame's ``to_html``
   vs ``to_string``): the HTML's table cells vs the text's tokens;
5. else the first MIME type both have (widget views, whose ids change, never).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from harden.reproducer.compare_media import (
    html_text,
    image_size,
    perceptual_difference,
    strip_pandas_footer,
)
from harden.reproducer.compare_text import (
    cap_text,
    split_warnings,
    texts_equivalent,
    unified_diff,
)
from harden.reproducer.compare_types import CompareOptions, DiffSeverity, OutputDiff
from harden.reproducer.normalize import DRIFT_LABELS, apply_normalizers

__all__ = ["RAISES_TAG", "OutputComparer", "first_error"]

from harden.notebook.tags import RAISES_EXCEPTION as RAISES_TAG

_IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
_RICH = ("execute_result", "display_data")
_IGNORED_MIMES = frozenset({"application/vnd.jupyter.widget-view+json"})
_MAX_TEXT = 20_000


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    return json.dumps(value, sort_keys=True, indent=1, default=str)


def _squeeze(text: str) -> str:
    """Each line's whitespace runs made one space: HTML cells and text columns line up."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def first_error(outputs: Sequence[Any]) -> tuple[int, Any] | None:
    """``(index, output)`` of the first error output, or ``None``."""
    errors = ((i, o) for i, o in enumerate(outputs) if o.get("output_type") == "error")
    return next(errors, None)


def _merged_streams(outputs: Sequence[Any]) -> dict[str, tuple[str, int]]:
    """Per stream name: all its chunks joined, and the index of the first chunk."""
    merged: dict[str, tuple[str, int]] = {}
    for index, output in enumerate(outputs):
        if output.get("output_type") == "stream":
            name = str(output.get("name", "stdout"))
            text, first = merged.get(name, ("", index))
            merged[name] = (text + _text(output.get("text", "")), first)
    return merged


def _image(data: Mapping[str, Any]) -> tuple[str, str] | None:
    mime = next((m for m in _IMAGE_MIMES if m in data), None)
    return (mime, _text(data[mime])) if mime else None


def _describe_image(image: tuple[str, str] | None) -> str:
    if image is None:
        return "(no image)"
    size = image_size(*image)
    return f"{image[0]} {size[0]}x{size[1]}" if size else f"{image[0]} (size unknown)"


class OutputComparer:
    """Compares the outputs of one cell; the differences collect in ``diffs``."""

    def __init__(self, options: CompareOptions) -> None:
        self.options = options
        self.diffs: list[OutputDiff] = []
        #: drift normalisers (names) without which an equal pair would have differed
        self.drift: dict[str, None] = {}

    def norm(self, text: str) -> str:
        return apply_normalizers(text, self.options.normalizers)

    def credit_drift(self, raw_expected: str, raw_actual: str) -> None:
        """Note the drift normalisers that made this (equivalent) pair equal."""
        if raw_expected == raw_actual:
            return
        options = self.options
        drift = [n for n in options.normalizers if n.name in DRIFT_LABELS]
        touched = [
            n.name
            for n in drift
            if n.apply(raw_expected) != raw_expected or n.apply(raw_actual) != raw_actual
        ]
        if not touched:
            return
        base = [n for n in options.normalizers if n.name not in DRIFT_LABELS]
        expected, actual = (
            apply_normalizers(raw_expected, base),
            apply_normalizers(raw_actual, base),
        )
        if not texts_equivalent(expected, actual, options.rel_tol, options.abs_tol):
            self.drift.update(dict.fromkeys(touched))

    def compare_raw(
        self,
        index: int | None,
        kind: str,
        raw_expected: str,
        raw_actual: str,
        severity: DiffSeverity,
        message: str,
    ) -> None:
        """Normalise both texts, then :meth:`texts`; credit the drift normalisers used."""
        expected, actual = self.norm(raw_expected), self.norm(raw_actual)
        before = len(self.diffs)
        self.texts(index, kind, expected, actual, severity, message)
        if len(self.diffs) == before:
            self.credit_drift(raw_expected, raw_actual)

    def add(
        self,
        index: int | None,
        kind: str,
        expected: str,
        actual: str,
        severity: DiffSeverity,
        message: str,
    ) -> None:
        diff = unified_diff(expected, actual, self.options.max_diff_lines)
        self.diffs.append(
            OutputDiff(
                index,
                kind,
                cap_text(expected, _MAX_TEXT),
                cap_text(actual, _MAX_TEXT),
                diff,
                severity,
                message,
            )
        )

    def texts(
        self,
        index: int | None,
        kind: str,
        expected: str,
        actual: str,
        severity: DiffSeverity,
        message: str,
    ) -> None:
        """Add a diff unless the texts are equivalent (numbers within tolerance)."""
        options = self.options
        if not texts_equivalent(expected, actual, options.rel_tol, options.abs_tol):
            self.add(index, kind, expected, actual, severity, message)

    def streams(self, ref_outputs: Sequence[Any], act_outputs: Sequence[Any]) -> None:
        """Compare merged streams: stdout, then stderr (warnings apart), then others."""
        ref, act = _merged_streams(ref_outputs), _merged_streams(act_outputs)
        order = sorted(set(ref) | set(act), key=lambda n: (n != "stdout", n != "stderr", n))
        for name in order:
            ref_text, ref_index = ref.get(name, ("", None))
            act_text, act_index = act.get(name, ("", None))
            index = act_index if act_index is not None else ref_index
            if name != "stderr":
                self.compare_raw(index, name, ref_text, act_text, "error", f"{name} differs")
                continue
            ref_other, ref_warnings = split_warnings(ref_text)
            act_other, act_warnings = split_warnings(act_text)
            severity: DiffSeverity = "error" if self.options.compare_stderr else "info"
            self.compare_raw(index, "stderr", ref_other, act_other, severity, "stderr differs")
            expected, actual = self.norm(ref_warnings), self.norm(act_warnings)
            self.texts(index, "warnings", expected, actual, "info", "warnings changed")

    def rich(self, ref_outputs: Sequence[Any], act_outputs: Sequence[Any]) -> None:
        """Compare execute_result/display_data outputs, paired in order."""
        ref = [(i, o) for i, o in enumerate(ref_outputs) if o.get("output_type") in _RICH]
        act = [(i, o) for i, o in enumerate(act_outputs) if o.get("output_type") in _RICH]
        for (_, ref_output), (act_index, act_output) in zip(ref, act):
            self._rich_pair(act_index, ref_output, act_output)
        for index, output in ref[len(act) :]:
            self._unpaired(index, output, in_reference=True)
        for index, output in act[len(ref) :]:
            self._unpaired(index, output, in_reference=False)

    def _unpaired(self, index: int, output: Any, in_reference: bool) -> None:
        data = output.get("data", {})
        image = _image(data)
        if image and self.options.image_mode == "ignore":
            return
        text = _describe_image(image) if image else self.norm(_text(data.get("text/plain", "")))
        text = text or ", ".join(sorted(data))
        severity = self.options.image_severity if image else "error"
        kind = str(output.get("output_type", "display_data"))
        if in_reference:
            self.add(index, kind, text, "", severity, "output missing from the actual run")
        else:
            self.add(index, kind, "", text, severity, "output not in the reference")

    def _rich_pair(self, index: int, ref_output: Any, act_output: Any) -> None:
        kind = str(act_output.get("output_type"))
        ref_data, act_data = ref_output.get("data", {}), act_output.get("data", {})
        ref_image, act_image = _image(ref_data), _image(act_data)
        if ref_image or act_image:
            if self.options.image_mode != "ignore":
                self._images(index, ref_image, act_image)
            return
        ref_html, act_html = ref_data.get("text/html"), act_data.get("text/html")
        ref_plain, act_plain = ref_data.get("text/plain"), act_data.get("text/plain")
        if ref_html is not None and act_html is not None:
            expected, actual = html_text(_text(ref_html)), html_text(_text(act_html))
        elif ref_plain is not None and act_plain is not None:
            expected, actual = _text(ref_plain), _text(act_plain)
        elif ref_html is not None and act_plain is not None:
            expected = html_text(_text(ref_html), tables_only=True)
            expected, actual = _squeeze(expected), _squeeze(strip_pandas_footer(_text(act_plain)))
        elif ref_plain is not None and act_html is not None:
            actual = html_text(_text(act_html), tables_only=True)
            expected, actual = _squeeze(strip_pandas_footer(_text(ref_plain))), _squeeze(actual)
        else:
            common = sorted((set(ref_data) & set(act_data)) - _IGNORED_MIMES)
            if not common:
                expected, actual = ", ".join(sorted(ref_data)), ", ".join(sorted(act_data))
                self.add(
                    index,
                    kind,
                    expected,
                    actual,
                    "error",
                    "no representation in common",
                )
                return
            expected, actual = _text(ref_data[common[0]]), _text(act_data[common[0]])
        self.compare_raw(index, kind, expected, actual, "error", f"{kind} differs")

    def _images(self, index: int, ref: tuple[str, str] | None, act: tuple[str, str] | None) -> None:
        severity = self.options.image_severity
        expected, actual = _describe_image(ref), _describe_image(act)
        if ref is None or act is None or expected != actual:
            self.add(index, "image", expected, actual, severity, "image changed")
        elif self.options.image_mode == "perceptual" and ref[0] != "image/svg+xml":
            distance = perceptual_difference(ref[1], act[1])
            if distance is not None and distance > self.options.perceptual_threshold:
                message = f"image content differs (mean pixel difference {distance:.1%})"
                self.add(index, "image", expected, f"{actual} ({message})", severity, message)

    def error(
        self,
        ref_err: tuple[int, Any] | None,
        act_err: tuple[int, Any] | None,
        tagged: bool,
    ) -> str:
        """Compare the error outputs; return why the error is expected, or ``''``.

        Tracebacks are ignored; ``ename`` is compared exactly and ``evalue``
        after normalisation.  The error is expected when the cell is tagged
        ``raises-exception`` or the reference raised the same class; a changed
        message is then an ``info`` diff.
        """
        ref_text = self._error_text(ref_err[1]) if ref_err else ""
        if act_err is None:
            if ref_err is not None:
                message = "the reference raised; the actual run did not"
                self.add(ref_err[0], "error", ref_text, "", "error", message)
            return ""
        index, act_text = act_err[0], self._error_text(act_err[1])
        same_class = ref_err is not None and ref_err[1].get("ename") == act_err[1].get("ename")
        if not (same_class or tagged):
            message = "a different exception was raised" if ref_err else "raised in the actual run"
            self.add(index, "error", ref_text, act_text, "error", message)
            return ""
        if ref_err is None:
            message = f"raised ({RAISES_TAG}); the reference has no error"
            self.add(index, "error", ref_text, act_text, "info", message)
        else:
            self.texts(index, "error", ref_text, act_text, "info", "exception changed")
        return f"tagged {RAISES_TAG}" if tagged else "the reference raised the same exception class"

    def _error_text(self, output: Any) -> str:
        return f"{output.get('ename', '')}: {self.norm(_text(output.get('evalue', '')))}"
