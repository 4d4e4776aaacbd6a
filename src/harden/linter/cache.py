"""The lint result cache: an unchanged notebook is not analysed again.

Like ruff's cache: a folder (``.harden_cache`` in the working directory
unless ``--cache-dir``, ``HARDEN_CACHE_DIR`` or ``cache-dir`` in
``[tool.harden]`` names another) that is safe to delete at any time and
ignored by git (it holds a ``.gitignore`` of ``*``, and a ``CACHEDIR.TAG``).  ``--no-cache`` or
``HARDEN_NO_CACHE=1`` turns it off.

A notebook's entry is keyed by everything its findings depend on: the
notebook's bytes and the path it is reported under, the resolved
configuration of its folder, and the rule set, i.e. harden's version, the
size and modification time of every module of the installed harden package
(an edited checkout is a new rule set), and the modification time of every
``site-packages`` folder on ``sys.path`` (installing or removing a package,
and so a rule plug-in, changes it).  A changed key is a miss, never a stale result.  The
rule catalogue (what outputs say about each rule, and each rule's option
defaults, which configuration is checked against) is kept per rule set, so a
run where every notebook hits imports no rule and no analysis.

Entries are JSON, written atomically; an unreadable or malformed entry is a
miss.  Results with an error (an unreadable notebook, a crashing rule) are
not cached: they are cheap to redo, and the error may be passing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from harden.config import Config
from harden.linter.finding import Finding, LintResult, RuleInfo
from harden.severity import Severity
from harden.version import __version__

#: Default folder, relative to the working directory.
DEFAULT_DIR = ".harden_cache"
#: Bumped when the entry format changes.
FORMAT = 1
#: Environment variables: a folder to use; any non-empty value but ``0`` turns the cache off.
DIR_ENV = "HARDEN_CACHE_DIR"
OFF_ENV = "HARDEN_NO_CACHE"

_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(frozen=True)
class Catalogue:
    """What a run needs to know about the rules when it lints nothing itself."""

    rules: tuple[RuleInfo, ...]
    defaults: Mapping[str, Mapping[str, Any]]


def disabled_by_env() -> bool:
    return os.environ.get(OFF_ENV, "") not in ("", "0")


def cache_dir(flag: str | Path | None = None, configured: Path | None = None) -> Path:
    """The folder: ``--cache-dir``, else ``HARDEN_CACHE_DIR``, else the configured one,
    else ``.harden_cache`` in the working directory."""
    if flag:
        return Path(flag)
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    return configured if configured is not None else Path(DEFAULT_DIR)


class LintCache:
    """Results of earlier runs under ``folder``, for the rule set installed now."""

    def __init__(self, folder: Path) -> None:
        self.root = Path(folder)
        self.rule_set = rule_set_fingerprint()
        self.folder = self.root / f"lint-{self.rule_set[:20]}"

    # -- keys ---------------------------------------------------------------
    def key(self, path: Path, content: bytes, config: Config) -> str:
        digest = hashlib.sha256()
        for part in (
            str(FORMAT),
            self.rule_set,
            str(path),
            config_fingerprint(config),
        ):
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        digest.update(content)
        return digest.hexdigest()

    # -- results ------------------------------------------------------------
    def get(self, key: str) -> LintResult | None:
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return _result(data)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, key: str, result: LintResult) -> None:
        if result.error is not None:
            return
        self._write(f"{key}.json", _encode(result))

    # -- the rule catalogue -------------------------------------------------
    def catalogue(self) -> Catalogue | None:
        try:
            data = json.loads((self.folder / "rules.json").read_text(encoding="utf-8"))
            rules = tuple(
                RuleInfo(**{**info, "severity": Severity(info["severity"])})
                for info in data["rules"]
            )
            return Catalogue(rules, data["defaults"])
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put_catalogue(self, catalogue: Catalogue) -> None:
        """Kept only when JSON gives the option defaults back as they are (a tuple
        would come back a list, and configuration is checked against their types)."""
        defaults = {rule: dict(options) for rule, options in catalogue.defaults.items()}
        try:
            if repr(json.loads(json.dumps(defaults))) != repr(defaults):
                return
        except (TypeError, ValueError):
            return
        rules = [{**asdict(info), "severity": info.severity.value} for info in catalogue.rules]
        self._write("rules.json", {"rules": rules, "defaults": defaults})

    # -- the folder ---------------------------------------------------------
    def _write(self, name: str, data: Any) -> None:
        """Atomic write; a cache that cannot be written is no cache, never an error."""
        try:
            self._prepare()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, separators=(",", ":"))
                os.replace(tmp, self.folder / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError):
            return

    def _prepare(self) -> None:
        if self.folder.is_dir():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Automatically created by harden.\n*\n", encoding="utf-8")
        tag = self.root / "CACHEDIR.TAG"  # backup tools skip the folder (bford.info/cachedir)
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by harden.\n",
                encoding="utf-8",
            )
        # Entries of other rule sets (an older harden, an edited checkout) are dead.
        for old in self.root.glob("lint-*"):
            if old.is_dir() and old != self.folder:
                shutil.rmtree(old, ignore_errors=True)
        self.folder.mkdir(exist_ok=True)


def rule_set_fingerprint() -> str:
    """harden's version, its modules' sizes and times, and the ``sys.path`` folders' times."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".toml")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for entry in sys.path:
        # Where distributions (and their entry points) are installed; not the
        # working directory or a script's folder, whose times change for other reasons.
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):
            continue
        try:
            stat = os.stat(entry)
        except OSError:
            continue
        digest.update(f"{entry}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def config_fingerprint(config: Config) -> str:
    data = {
        "pack": config.pack,
        "select": list(config.select),
        "ignore": list(config.ignore),
        "severities": {k: v.value for k, v in config.severities.items()},
        "options": config.options,
        "fail_on": config.fail_on.value,
    }
    return json.dumps(data, sort_keys=True, default=repr)


def _encode(result: LintResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "skipped_rules": list(result.skipped_rules),
        "findings": [
            {**asdict(f), "severity": f.severity.value, "related_cells": list(f.related_cells)}
            for f in result.findings
        ],
    }


def _result(data: dict[str, Any]) -> LintResult:
    findings: Sequence[Finding] = tuple(
        Finding(
            **{
                **{name: entry[name] for name in _FINDING_FIELDS},
                "severity": Severity(entry["severity"]),
                "related_cells": tuple(entry["related_cells"]),
            }
        )
        for entry in data["findings"]
    )
    return LintResult(data["path"], tuple(findings), None, tuple(data["skipped_rules"]))


__all__ = [
    "DEFAULT_DIR",
    "DIR_ENV",
    "OFF_ENV",
    "Catalogue",
    "LintCache",
    "cache_dir",
    "config_fingerprint",
    "disabled_by_env",
    "rule_set_fingerprint",
]
