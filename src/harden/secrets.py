"""Secret detectors: used by H301 (source), H302 (stored outputs), and every step that emits text.

Two kinds of evidence: *known formats* (AWS access key ids, GitHub, Slack,
Stripe, Google, OpenAI and Hugging Face tokens, JWTs, private key blocks,
bearer tokens), found anywhere in a string; and *secret-like names*
(``password``, ``api_key``, ``token``, ``client_secret``…) given a literal
that looks like a credential rather than a placeholder.  Nothing here ever
returns a secret in a form meant for output: use :func:`redact`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

KNOWN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key block",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*)",
            re.DOTALL,
        ),
    ),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{50,})\b")),
    ("Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}")),
    ("Stripe live key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}\b")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (
        "OpenAI API key",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}"),
    ),  # with a digit: below
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("bearer token", re.compile(r"(?<=Bearer )[A-Za-z0-9._~+/-]{20,}=*")),
)
#: Substrings each known format must contain: a cheap test before its regex runs.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "private key block": ("PRIVATE KEY",),
    "AWS access key id": ("AKIA", "ASIA"),
    "GitHub token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "Slack token": ("xox",),
    "Stripe live key": ("k_live_",),
    "Google API key": ("AIza",),
    "JWT": ("eyJ",),
    "OpenAI API key": ("sk-",),
    "Hugging Face token": ("hf_",),
    "bearer token": ("Bearer ",),
}
_ANY_ANCHOR = re.compile("|".join(re.escape(a) for group in _ANCHORS.values() for a in group))
_PREFIX = re.compile(
    r"^(?:AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|[sr]k_live_|AIza|"
    r"sk-(?:proj-|svcacct-|admin-|ant-)?|hf_|eyJ)"
)
#: A ``name = 'value'`` / ``"name": "value"`` pair in output text (quoted values only).
_PAIR = re.compile(
    r"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]{0,63})['\"]?\s*[:=]\s*"
    r"(?P<q>['\"])(?P<value>[^'\"\s]{4,512})(?P=q)"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
    }
)
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "auth",
        "signing",
        "encryption",
        "master",
        "app",
        "client",
    }
)
#: Names ending in one of these hold something *about* a secret, not the secret.
_NOT_SECRET_TAIL = frozenset(
    {
        "path",
        "file",
        "filename",
        "dir",
        "url",
        "uri",
        "name",
        "env",
        "var",
        "id",
        "ids",
        "type",
        "field",
        "len",
        "length",
        "count",
        "size",
        "prefix",
        "suffix",
        "header",
        "endpoint",
        "scope",
        "scopes",
        "expiry",
        "expires",
        "label",
        "index",
        "idx",
        "col",
        "column",
        "format",
        "mode",
        "kind",
        "limit",
        "pattern",
        "regex",
        "template",
        "prompt",
        "hint",
        "policy",
        "location",
        "version",
        "vocab",
        "encoding",
        "tokenizer",
        "strength",
        "required",
        "min",
        "max",
    }
)
#: ``eos_token = "</s>"`` and friends are vocabulary, not credentials.
_VOCAB_TOKENS = frozenset(
    {
        "eos",
        "bos",
        "pad",
        "unk",
        "sep",
        "cls",
        "mask",
        "start",
        "end",
        "special",
        "oov",
        "begin",
        "stop",
        "sos",
        "additional",
        "new",
    }
)
_PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change_me",
        "change-me",
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "todo",
        "tbd",
        "fixme",
        "dummy",
        "example",
        "placeholder",
        "test",
        "testing",
        "redacted",
        "hidden",
        "default",
        "string",
        "str",
        "api_key",
        "apikey",
        "replace_me",
        "replaceme",
        "notset",
        "not_set",
        "undefined",
        "missing",
    }
)
#: Suffixes of the files credentials are kept in (and of the config files that name them):
#: ``GOOGLE_APPLICATION_CREDENTIALS = "sa-key.json"`` says where a secret is, not what.
_FILE_SUFFIXES = frozenset(
    {
        "json",
        "pem",
        "key",
        "p12",
        "pfx",
        "crt",
        "cer",
        "der",
        "pub",
        "jks",
        "keystore",
        "gpg",
        "asc",
        "txt",
        "yaml",
        "yml",
        "toml",
        "ini",
        "cfg",
        "conf",
        "env",
        "netrc",
        "pgpass",
    }
)
_FILE_NAME = re.compile(r"^[\w.-]+\.(?P<suffix>[A-Za-z0-9]{2,8})$")
_TEMPLATE = re.compile(r"^(?:<.*>|\[.*\]|\{.*\}|\$\{?\w+\}?|%\(?\w*\)?s|\.\.\.+|…)$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


@dataclass(frozen=True)
class Secret:
    """A secret found somewhere: what it looks like (``kind``), its ``value``
    (never to be shown: use :attr:`redacted`), and the name it was given."""

    kind: str
    value: str
    name: str | None = None

    @property
    def redacted(self) -> str:
        return redact(self.value)


def redact(value: str) -> str:
    """``AKIA…(20 chars)``: the first 4 characters only for values of 16 or more."""
    shown = value[:4] if len(value) >= 16 else ""
    return f"{shown}…({len(value)} chars)"


def _words(name: str) -> list[str]:
    name = re.split(r"[.\[]", name.strip("'\"[]"))[-1]
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def is_secret_name(name: str) -> bool:
    """``password``, ``db_pwd``, ``OPENAI_API_KEY``, ``clientSecret`` — not ``token_path``."""
    words = _words(name)
    if not words or words[-1] in _NOT_SECRET_TAIL:
        return False
    if words[-1] == "token" and len(words) > 1 and words[-2] in _VOCAB_TOKENS:
        return False
    if words[-1] in _SECRET_WORDS or words[-1].endswith(("password", "apikey")):
        return True
    return words[-1] == "key" and any(w in _KEY_QUALIFIERS for w in words[:-1])


def is_placeholder(value: str) -> bool:
    """Empty strings, ``xxxx``, ``<your-key>``, ``YOUR_API_KEY``, ``changeme``…"""
    text = value.strip()
    lowered = text.lower()
    body = _PREFIX.sub("", text)
    return (
        not text
        or lowered in _PLACEHOLDERS
        or bool(_TEMPLATE.match(text))
        or "your" in lowered
        or "xxxx" in lowered
        or "****" in text
        or len(set(body.lower()) - set("-_. ")) < 4
    )


def names_a_file(value: str) -> bool:
    """``service_account.json``, ``keys/sa.json``, ``C:\\keys\\id.pem``: a path to a file
    that holds a credential (its last part a file name with a credential or config file's
    suffix) is not the credential."""
    last = re.split(r"[\\/]", value)[-1]
    match = _FILE_NAME.match(last)
    return match is not None and match.group("suffix").lower() in _FILE_SUFFIXES


def _credential_like(name: str, value: str) -> bool:
    if any(ch.isspace() for ch in value) or not 4 <= len(value) <= 512:
        return False
    if value.startswith(("/", "./", "~", "http")) or "://" in value or _ENV_NAME.match(value):
        return False
    if is_placeholder(value) or names_a_file(value):
        return False
    if _words(name)[-1] in _PASSWORD_WORDS:
        return True
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return len(value) >= 8 and (
        any(c.isdigit() for c in value) or mixed or any(c in "-_+/=.!@#$%^&*" for c in value)
    )


def named_secret(name: str, value: Any) -> Secret | None:
    """A ``Secret`` when a secret-like ``name`` is given a credential-like literal."""
    if isinstance(value, str) and is_secret_name(name) and _credential_like(name, value):
        return Secret("hard-coded credential", value, name.strip("'\""))
    return None


def known_secrets(text: str) -> Iterator[Secret]:
    """Every known-format secret in ``text`` (placeholders skipped)."""
    if not _ANY_ANCHOR.search(text):
        return
    for kind, pattern in KNOWN_FORMATS:
        if not any(anchor in text for anchor in _ANCHORS[kind]):
            continue
        for match in pattern.finditer(text):
            value = match.group(0)
            if kind == "OpenAI API key" and not any(c.isdigit() for c in value):
                continue
            if not is_placeholder(value) or kind == "private key block":
                yield Secret(kind, value)


def text_secrets(text: str) -> list[Secret]:
    """Secrets in free text (outputs): known formats and quoted ``name = 'value'`` pairs."""
    found = {s.value: s for s in known_secrets(text)}
    lowered = text.lower()
    if not any(word in lowered for word in ("pass", "pwd", "secret", "token", "key", "cred")):
        return list(found.values())
    for match in _PAIR.finditer(text):
        secret = named_secret(match.group("name"), match.group("value"))
        if secret is not None and not any(secret.value in v for v in found):
            found[secret.value] = secret
    return list(found.values())


def redact_text(text: str, secrets: Iterable[Secret] = ()) -> str:
    """``text`` with every known-format secret and every given secret redacted."""
    every = {secret.value: secret for secret in (*known_secrets(text), *secrets)}
    for value in sorted(every, key=len, reverse=True):
        text = text.replace(value, every[value].redacted)
    return text


def quote(text: str, width: int = 60) -> str:
    """``text`` for a message: secrets redacted first, then shortened to ``width``
    (shortening first could cut a secret below what the detectors recognise)."""
    text = redact_text(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# -- outputs --------------------------------------------------------------------


def output_texts(outputs: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    """``(what, text)`` for every textual part of a cell's stored outputs."""
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            yield str(output.get("name", "stream")), _joined(output.get("text", ""))
        elif kind == "error":
            trace = "\n".join(_joined(line) for line in output.get("traceback", []) or [])
            yield "error", _ANSI.sub("", f"{output.get('evalue', '')}\n{trace}")
        for mime, value in (output.get("data") or {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                body = value if isinstance(value, (str, list)) else json.dumps(value)
                body = _joined(body)
                yield f"{mime} result", html.unescape(body) if mime == "text/html" else body


def _joined(value: Any) -> str:
    """A notebook's multi-line string (a list of lines), tolerating damaged items."""
    if isinstance(value, list):
        return "".join(item if isinstance(item, str) else str(item) for item in value)
    return str(value)
