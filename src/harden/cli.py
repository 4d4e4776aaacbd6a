"""The ``harden`` command: one thin function per subcommand.

Each subcommand parses its flags, calls the library, renders the result and
returns an exit code: 0 clean, 1 findings or failures at or above the failing
severity, 2 usage or input error.  Any :class:`~harden.errors.HardenError`
becomes a one-line message and exit code 2; anything else is a bug.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harden.errors import HardenError, UsageError
from harden.progress import progress_for
from harden.version import __version__

if TYPE_CHECKING:
    from harden.config import Overrides
    from harden.linter.cache import LintCache
    from harden.linter.finding import LintResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

#: Subcommands implemented in their step's package: name → (module, help).
#: Each module offers ``add_arguments(parser)`` and ``run_command(args) -> int``.
STEP_COMMANDS: dict[str, tuple[str, str]] = {
    "extract": (
        "harden.extractor.cli_extract",
        "turn a notebook into an importable module that computes the same thing",
    ),
    "repro": (
        "harden.reproducer.cli_repro",
        "re-run notebooks in a fresh kernel and check they reproduce",
    ),
    "expect": (
        "harden.expectations.cli_expect",
        "run a notebook and write Great Expectations suites for the frames it uses",
    ),
    "validate": (
        "harden.expectations.cli_validate",
        "check data (file or database table) against a Great Expectations suite",
    ),
    "scaffold": (
        "harden.scaffolder.cli_scaffold",
        "write pytest tests that pin what a notebook's extracted module computes",
    ),
    "handoff": (
        "harden.handover.cli_handoff",
        "run every step once and write a folder an engineer starts from: module, tests, "
        "suites, pinned requirements, data manifest, report",
    ),
    "report": (
        "harden.reporter.cli_report",
        "lint and re-run notebooks, score their readiness, write report.html and report.json",
    ),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # main() prefixes every one-line error with "harden: "; name only the subcommand.
        command = self.prog.removeprefix("harden").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; step subcommands' flags are only loaded for ``command``
    (their modules import the analysis, which ``harden --help`` should not pay for)."""
    parser = _Parser(
        prog="harden",
        description="Harden Jupyter research notebooks for production.",
        epilog="Exit codes: 0 clean, 1 findings/failures at or above the failing "
        "severity, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"harden {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_lint(
        sub.add_parser(
            "lint", help="check notebooks for what breaks in production (never runs notebook code)"
        )
    )
    _add_rules(sub.add_parser("rules", help="list the rules, or explain one"))
    for name, (module, help_text) in STEP_COMMANDS.items():
        step_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            step = importlib.import_module(module)
            step.add_arguments(step_parser)
            step_parser.set_defaults(handler=step.run_command)
    return parser


# -- lint ---------------------------------------------------------------------
def _add_lint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="notebooks or folders (searched recursively)"
    )
    parser.add_argument(
        "--format",
        default="text",
        choices=["text", "json", "sarif", "junit"],
        help="output format (default: text)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE (atomically) instead of stdout",
    )
    parser.add_argument(
        "--pack", help="rule pack: a shipped name (default, strict) or a path to a TOML file"
    )
    parser.add_argument(
        "--select", type=_ids, help="only these rules (ids or prefixes, comma-separated)"
    )
    parser.add_argument("--extend-select", type=_ids, default=[], help="enable these too")
    parser.add_argument("--ignore", type=_ids, default=[], help="skip these rules")
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="use this pyproject.toml instead of searching upwards",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=0, help="worker processes (default: automatic)"
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of the findings (text or json)",
    )
    parser.add_argument(
        "--show-all",
        action="store_true",
        help="text: show every finding (by default a rule's findings after the third "
        "in a notebook are collapsed into one line)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="lint every notebook again; read and write no cache (also HARDEN_NO_CACHE=1)",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the result cache's folder (default: .harden_cache; also HARDEN_CACHE_DIR)",
    )
    _add_color(parser)
    parser.set_defaults(handler=cmd_lint)


def cmd_lint(args: argparse.Namespace) -> int:
    from harden.config import Overrides
    from harden.linter.engine import lint_paths
    from harden.linter.finding import Severity
    from harden.linter.formats import get_formatter
    from harden.linter.formats.text import render as render_text

    formatter = get_formatter(args.format)
    overrides = Overrides(
        pack=args.pack,
        select=args.select,
        extend_select=args.extend_select,
        ignore=args.ignore,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        config_file=args.config,
    )
    with progress_for(args.format, bool(args.output), min_total=10) as progress:
        report = lint_paths(
            args.paths,
            overrides,
            jobs=args.jobs,
            progress=lambda done, total: progress("lint", done, total, ""),
            cache=_lint_cache(args, overrides),
        )
    color = args.format == "text" and _use_color(args, sys.stdout)
    if args.statistics:
        text = _statistics(report.results, args.format)
    elif args.format == "text":
        text = render_text(
            report.results,
            report.rules,
            color=color and not args.output,
            fail_on=report.fail_on,
            show_all=args.show_all,
        )
    else:
        text = formatter(
            report.results, report.rules, color=color and not args.output, fail_on=report.fail_on
        )
    _emit(text, args.output)
    return report.exit_code


def _lint_cache(args: argparse.Namespace, overrides: Overrides) -> LintCache | None:
    from harden.config import resolve
    from harden.linter.cache import LintCache, cache_dir, disabled_by_env

    if args.no_cache or disabled_by_env():
        return None
    configured = None
    if not args.cache_dir:
        try:
            configured = resolve(Path.cwd(), overrides).cache_dir
        except HardenError:
            pass  # the run reports a broken configuration where it applies
    return LintCache(cache_dir(args.cache_dir, configured))


def _statistics(results: Sequence[LintResult], fmt: str) -> str:
    import json

    from harden.linter.formats.text import render_statistics, statistics

    if fmt == "text":
        return render_statistics(results)
    if fmt == "json":
        rows = [
            {"rule_id": rule, "name": name, "severity": severity, "count": count}
            for rule, name, severity, count in statistics(results)
        ]
        return json.dumps({"statistics": rows}, indent=2) + "\n"
    raise UsageError(f"--statistics prints text or json, not {fmt}")


# -- rules --------------------------------------------------------------------
def _add_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", help="a rule id or name to explain")
    parser.add_argument(
        "--format",
        default="text",
        choices=["text", "markdown", "markdown-docs"],
        help="markdown: the README's rule table (or the rule's section of "
        "docs/rules.md); markdown-docs: all of docs/rules.md",
    )
    parser.set_defaults(handler=cmd_rules)


def cmd_rules(args: argparse.Namespace) -> int:
    from harden.linter import docs

    if args.rule and args.format == "text":
        print(docs.explain(args.rule), end="")
    elif args.rule:
        print(docs.rule_markdown(docs.find(args.rule)), end="")
    elif args.format == "markdown-docs":
        print(docs.rules_page(), end="")
    elif args.format == "markdown":
        print(docs.rule_table(), end="")
    else:
        print(docs.rule_list(), end="")
    return EXIT_OK


# -- shared helpers -------------------------------------------------------------
def _ids(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _add_color(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text output (default: only on a terminal)",
    )


def _use_color(args: argparse.Namespace, stream: object) -> bool:
    choice = getattr(args, "color", "auto")
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _emit(text: str, output: str | None) -> None:
    if output:
        from harden.io import atomic_write

        atomic_write(output, text)
    else:
        sys.stdout.write(text)


def _quiet_libraries() -> None:
    """papermill, jupyter_client and Dask log kernel deaths, timeouts and lost workers
    as errors; every command reports them better (a verdict, a one-line error), so
    they stay quiet unless the root logger is set to DEBUG."""
    import logging

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in ("papermill", "traitlets", "jupyter_client", "nbclient", "distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harden`` console script."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = next((arg for arg in argv if not arg.startswith("-")), None)
        parser = build_parser(command)
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_ERROR
        _quiet_libraries()
        return int(args.handler(args))
    except HardenError as exc:
        sys.stderr.write(f"harden: {exc.one_line()}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("harden: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
