"""Text comparison for the comparer: numbers within a tolerance, readable diffs.

:func:`texts_equivalent` tokenises both texts into numbers, words and single
punctuation characters.  The token sequences must match exactly except for
numbers, which are compared with :func:`math.isclose` (two integers must be
equal).  Whitespace and line breaks only separate tokens: numpy and pandas
re-flow columns and lines when a number's printed width changes, so layout
is not compared — ``"a b"`` still differs from ``"ab"``.
"""

from __future__ import annotations

import difflib
import math
import re

__all__ = ["cap_text", "split_warnings", "texts_equivalent", "unified_diff"]

_TOKEN = re.compile(
    r"(?P<num>(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\d.]))"
    r"|(?P<word>[^\W\d]\w*|\d+)"
    r"|(?P<other>\S)"
)
_INTEGER = re.compile(r"[-+]?\d+")


def _tokens(text: str) -> list[tuple[bool, str]]:
    return [(match.lastgroup == "num", match.group()) for match in _TOKEN.finditer(text)]


def _numbers_close(a: str, b: str, rel_tol: float, abs_tol: float) -> bool:
    if a == b:
        return True
    if _INTEGER.fullmatch(a) and _INTEGER.fullmatch(b):
        return int(a) == int(b)
    return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)


def texts_equivalent(expected: str, actual: str, rel_tol: float, abs_tol: float) -> bool:
    """True when the texts have the same tokens, numbers equal within the tolerance."""
    if expected == actual:
        return True
    left, right = _tokens(expected), _tokens(actual)
    if len(left) != len(right):
        return False
    for (left_is_num, left_text), (right_is_num, right_text) in zip(left, right):
        if left_is_num and right_is_num:
            if not _numbers_close(left_text, right_text, rel_tol, abs_tol):
                return False
        elif left_is_num != right_is_num or left_text != right_text:
            return False
    return True


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a note saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit} more characters)"


_GUIDE_MAX_WIDTH = 200


def _guide(old: str, new: str) -> str | None:
    """A ``?`` line marking with ``^`` the characters of ``new`` that changed."""
    if max(len(old), len(new)) > _GUIDE_MAX_WIDTH:
        return None
    marks = [" "] * len(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for j in range(j1, max(j2, j1 + 1)):
                if j < len(marks):
                    marks[j] = "^"
                else:
                    marks.append("^")
    guide = "".join(marks).rstrip()
    return f"? {guide}" if guide else None


def unified_diff(expected: str, actual: str, max_lines: int, context: int = 2) -> str:
    """A unified diff (``--- expected`` / ``+++ actual``) with ``?`` guide lines.

    When a block of lines is replaced by the same number of lines, each ``+``
    line is followed by a ``?`` line marking the changed characters with ``^``,
    as ``difflib.ndiff`` does.  The result is capped at ``max_lines`` lines.
    """
    old, new = expected.splitlines(), actual.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines = ["--- expected", "+++ actual"]
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(
            f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@"
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(f"  {line}" for line in old[i1:i2])
            elif tag == "replace" and i2 - i1 == j2 - j1:
                for old_line, new_line in zip(old[i1:i2], new[j1:j2]):
                    lines += [f"- {old_line}", f"+ {new_line}"]
                    guide = _guide(old_line, new_line)
                    if guide:
                        lines.append(guide)
            else:
                lines.extend(f"- {line}" for line in old[i1:i2])
                lines.extend(f"+ {line}" for line in new[j1:j2])
    if len(lines) == 2:  # same lines, e.g. a trailing newline or only numbers differ in layout
        lines += [
            "- " + repr(expected)[:_GUIDE_MAX_WIDTH],
            "+ " + repr(actual)[:_GUIDE_MAX_WIDTH],
        ]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"… ({len(lines) - max_lines} more diff lines)"]
    return "\n".join(lines)


_WARNING_HEADER = re.compile(r"^[^\n]+?:(?:\d+|<line>): [A-Za-z_]\w*Warning: ")


def split_warnings(text: str) -> tuple[str, str]:
    """Split stderr text into ``(other text, warnings)``.

    A warning block starts at a line ``path:line: SomeWarning: message`` (the
    format of :func:`warnings.formatwarning`) and ends with the indented source
    line that follows the message, at the next warning header, or at the end
    of the text when no source line is shown.
    """
    other: list[str] = []
    warnings: list[str] = []
    in_warning = False
    for line in text.splitlines(keepends=True):
        if _WARNING_HEADER.match(line):
            in_warning = True
            warnings.append(line)
        elif in_warning:
            warnings.append(line)
            if line.startswith("  "):
                in_warning = False
        else:
            other.append(line)
    return "".join(other), "".join(warnings)
