"""JUnit XML helpers shared by every command that writes JUnit (lint, repro, validate)."""

from __future__ import annotations

import re

#: Characters XML 1.0 forbids.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text with characters XML 1.0 forbids replaced by visible escapes."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


__all__ = ["xml_safe"]
