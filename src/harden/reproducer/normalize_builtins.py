"""The text transformations behind the built-in normalisers of :mod:`harden.reproducer.normalize`.

Each public function here is ``str -> str`` and is wrapped, with its name and
description, in a :class:`~harden.reproducer.normalize.FunctionNormalizer`.
"""

from __future__ import annotations

import re

__all__ = [
    "collapse_carriage_returns",
    "normalise_durations",
    "normalise_progress_bars",
    "normalise_temp_paths",
    "normalise_timestamps",
    "normalise_warning_paths",
]

_NUM = r"\d+(?:\.\d+)?"
_TIME_UNIT = r"(?:ns|[µμu]s|ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)"


def collapse_carriage_returns(text: str) -> str:
    if "\r" not in text:
        return text
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if "\r" in line:
            states = [part for part in line.split("\r") if part]
            line = states[-1] if states else ""
        lines.append(line)
    return "\n".join(lines)


_WARNING_HEADER = re.compile(
    r"^(?P<path>(?:[A-Za-z]:)?[\\/][^\n:]*?)(?P<file>[^\\/\n:]+\.py):(?P<line>\d+)"
    r"(?=: [A-Za-z_]\w*Warning:)",
    re.MULTILINE,
)
_SITE_PACKAGES = re.compile(r"[\\/](?:site|dist)-packages[\\/]")
_STDLIB = re.compile(r"[\\/]lib[\\/]python3\.\d+[\\/]")


def _warning_path(match: re.Match[str]) -> str:
    path, file = match["path"], match["file"]
    for label, root in (("<site-packages>", _SITE_PACKAGES), ("<stdlib>", _STDLIB)):
        found = list(root.finditer(path))
        if found:
            rest = path[found[-1].end() :].replace("\\", "/")
            return f"{label}/{rest}{file}:<line>"
    return f"<path>/{file}:<line>"


def normalise_warning_paths(text: str) -> str:
    return _WARNING_HEADER.sub(_warning_path, text)


_CPU_TIMES = re.compile(r"^CPU times:.*$", re.MULTILINE)
_TIMEIT = re.compile(
    rf"^{_NUM}\s*{_TIME_UNIT} ± {_NUM}\s*{_TIME_UNIT} per loop"
    rf" \(mean ± std\. dev\. of (\d+) runs?, [\d,]+ loops? each\)",
    re.MULTILINE,
)
_DURATION_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^The slowest run took [^\n]*\n?", re.MULTILINE), ""),
    (
        _TIMEIT,
        r"<duration> ± <duration> per loop (mean ± std. dev. of \1 runs, <n> loops each)",
    ),
    (
        re.compile(
            rf"^[\d,]+ loops?, best of (\d+): {_NUM}\s*{_TIME_UNIT} per loop",
            re.MULTILINE,
        ),
        r"<n> loops, best of \1: <duration> per loop",
    ),
    (re.compile(rf"\b{_NUM}\s?(?:ms|s|[µμu]s)/(step|sample)\b"), r"<duration>/\1"),
    (re.compile(rf"\b{_NUM}\s?(?:ms|s|[µμu]s|min)(?= <duration>/)"), "<duration>"),
    (
        re.compile(
            rf"\b{_NUM}\s?(?:[kMG]?(?:it|B)|KiB|MiB|GiB|samples|examples|tokens"
            r"|steps|batch(?:es)?)/s\b"
        ),
        "<rate>",
    ),
    (re.compile(rf"\b{_NUM}\s?s/it\b"), "<rate>"),
    (
        re.compile(
            r"(?i)\b(took|elapsed|wall time|time|duration|runtime|eta|in|after)(\s*[:=]?\s*)"
            rf"{_NUM}\s?{_TIME_UNIT}(?![\w/])"
        ),
        r"\1\2<duration>",
    ),
)


def normalise_durations(text: str) -> str:
    text = _CPU_TIMES.sub(
        lambda m: re.sub(rf"{_NUM}\s*{_TIME_UNIT}\b", "<duration>", m.group()), text
    )
    for pattern, replacement in _DURATION_RULES:
        text = pattern.sub(replacement, text)
    return text


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_MIDNIGHT = r"(?!00:00(?::00(?:[.,]0+)?)?(?![.,:\d]))"
_TIMESTAMP_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            rf"\b\d{{4}}-\d{{2}}-\d{{2}}[T ]{_MIDNIGHT}\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d{{1,9}})?)?"
            r"(?:Z\b|[+-]\d{2}:?\d{2}\b)?"
        ),
        "<timestamp>",
    ),
    # a repr with microseconds is a clock read; datetime.datetime(2011, 7, 6, 0, 0) is data
    (re.compile(r"(datetime\.datetime\()\d{4}(?:, \d{1,6}){6}(?=[,)])"), r"\1<timestamp>"),
    (
        re.compile(
            rf"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:{_MONTHS}) [ \d]\d \d{{2}}:\d{{2}}:\d{{2}} \d{{4}}\b"
        ),
        "<timestamp>",
    ),
    (
        re.compile(rf"(?<![\d:.]){_MIDNIGHT}\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?(?![\d:])"),
        "<time>",
    ),
)


def normalise_timestamps(text: str) -> str:
    for pattern, replacement in _TIMESTAMP_RULES:
        text = pattern.sub(replacement, text)
    return text


_TEMP_ROOT = re.compile(
    r"(?:/private)?/var/folders/[\w+-]+/[\w+-]+/[TC](?=[\\/]|\b)"
    r"|[A-Za-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp"
    r"|/tmp/pytest-of-[^/\s]+/pytest-\d+"
)
_TEMP_DIR = re.compile(r"(?:<tmp>|/var/tmp|/tmp)[\\/]tmp[\w-]{6,}")


def normalise_temp_paths(text: str) -> str:
    return _TEMP_DIR.sub("<tmpdir>", _TEMP_ROOT.sub("<tmp>", text))


_PROGRESS_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{1,3}%)\|[^|\n]{0,200}\|"), r"\1|…|"),
    (
        re.compile(
            r"\[(?:\d+:)?\d{1,2}:\d{2}(?:<(?:(?:\d+:)?\d{1,2}:\d{2}|\?))?,\s*"
            r"(?:\?|\d+(?:\.\d+)?)\s*[A-Za-z]*/[A-Za-z]+"
        ),
        "[…",
    ),
)


def normalise_progress_bars(text: str) -> str:
    for pattern, replacement in _PROGRESS_RULES:
        text = pattern.sub(replacement, text)
    return text
