"""The lint engine: one analysis per notebook, every enabled rule over it.

Per-notebook failures (unreadable file, bad JSON, a rule that crashes) come
back as values in :class:`~harden.linter.finding.LintResult`; a batch never
stops for one bad notebook.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harden.batch import Batch, workers_for
from harden.config import Config, Overrides, resolve, validate_rules
from harden.discover import Target, discover
from harden.errors import HardenError, NotebookError, RuleError
from harden.linter.finding import Finding, LintResult, RuleInfo, Severity

# The analysis, the rules and the notebook reader are imported when a notebook is
# linted: a run whose every notebook is in the cache needs none of them.
if TYPE_CHECKING:
    from harden.analysis import Analysis
    from harden.linter.cache import LintCache
    from harden.linter.rule import Rule, RuleContext, Violation
    from harden.notebook import Notebook

log = logging.getLogger(__name__)

#: Below this many notebooks, worker processes cost more than they save.
PARALLEL_THRESHOLD = 8
#: Chunks of notebooks handed to each worker process (see :class:`harden.batch.Batch`).
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class LintReport:
    """Results in input order, and the rules that produced them."""

    results: tuple[LintResult, ...]
    rules: tuple[RuleInfo, ...]
    fail_on: Severity

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_on for r in self.results for f in r.findings)

    @property
    def had_errors(self) -> bool:
        return any(r.error is not None for r in self.results)

    @property
    def exit_code(self) -> int:
        if self.had_errors:
            return 2
        return 1 if self.failed else 0


def lint_notebook(
    notebook: Notebook,
    config: Config,
    rules: Sequence[type[Rule]],
    analysis: Analysis | None = None,
) -> LintResult:
    """Run the enabled ``rules`` over one loaded notebook."""
    from harden.analysis import analyze
    from harden.linter import suppress
    from harden.linter.redact import redact_findings
    from harden.linter.rule import RuleContext

    enabled = [rule for rule in rules if config.enabled(rule.id)]
    if not notebook.is_python:
        enabled = [rule for rule in enabled if rule.language_agnostic]
    analysis = analysis if analysis is not None else analyze(notebook)
    suppressions = suppress.collect(notebook.cells, {c.index: c for c in analysis.cells})
    findings: list[Finding] = []
    for rule in enabled:
        ctx = RuleContext(notebook, analysis, config.rule_options(rule.id, rule.options))
        severity = config.severity(rule.id, rule.severity)
        configured = rule.id in config.severities
        for violation in _violations(rule, ctx):
            if suppressions.silences(rule.id, violation.cell_index, violation.line):
                continue
            # A per-finding severity refines the rule's default only; a
            # severity the user configured for the rule applies to every finding.
            own = severity if configured or violation.severity is None else violation.severity
            findings.append(_finding(rule, own, notebook, violation))
    # Whatever a rule quotes, secrets never reach an output (DESIGN: Safety).
    findings = redact_findings(findings, analysis)
    findings.sort(key=lambda f: f.sort_key)
    skipped = (
        ()
        if notebook.is_python
        else tuple(r.id for r in rules if config.enabled(r.id) and not r.language_agnostic)
    )
    return LintResult(str(notebook.path), tuple(findings), None, skipped)


def _violations(rule: type[Rule], ctx: RuleContext) -> list[Violation]:
    """The rule's violations; a rule that raises is this notebook's error."""
    try:
        return list(rule().check(ctx))
    except (HardenError, RecursionError):
        raise
    except Exception as exc:
        log.debug("rule %s failed on %s", rule.id, ctx.notebook.path, exc_info=True)
        raise RuleError(
            f"rule {rule.id} {rule.name} failed on this notebook ({type(exc).__name__}: {exc}); "
            "this is a bug in harden or in the plugin that provides the rule: please report it",
            ctx.notebook.path,
        ) from None


def _finding(
    rule: type[Rule], severity: Severity, notebook: Notebook, violation: Violation
) -> Finding:
    cell = notebook.cells[violation.cell_index] if violation.cell_index is not None else None
    snippet = violation.snippet
    if snippet is None and rule.shows_source and cell is not None and violation.line:
        snippet = cell.line(violation.line)
    return Finding(
        rule_id=rule.id,
        name=rule.name,
        severity=severity,
        path=str(notebook.path),
        message=violation.message,
        fix=rule.fix,
        cell_index=violation.cell_index,
        cell_id=cell.id if cell is not None else None,
        line=violation.line,
        column=violation.column,
        snippet=snippet,
        execution_count=cell.execution_count if cell is not None else None,
        related_cells=violation.related_cells,
    )


def lint_path(path: Path, config: Config, rules: Sequence[type[Rule]]) -> LintResult:
    """Load, analyse and lint one file; errors become the result's ``error``."""
    from harden.notebook import load

    # A notebook's analysis makes many objects that all live until its lint ends:
    # the cyclic collector, run meanwhile, would walk them again and again for nothing.
    paused = gc.isenabled()
    gc.disable()
    try:
        notebook = load(path)
        return lint_notebook(notebook, config, rules)
    except HardenError as exc:
        return LintResult(str(path), error=exc)
    except RecursionError:
        return LintResult(str(path), error=NotebookError("code nested too deeply to analyse", path))
    finally:
        if paused:
            gc.enable()


def lint_paths(
    paths: Iterable[str | Path],
    overrides: Overrides | None = None,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cache: LintCache | None = None,
) -> LintReport:
    """Lint every notebook under ``paths`` (files or folders).

    ``jobs`` 0 picks a worker count from the machine and the batch size; 1
    lints in this process.  Configuration is resolved per folder.  With a
    ``cache`` (:mod:`harden.linter.cache`), notebooks linted before with the
    same content, configuration and rules are not linted again.
    """
    from harden.linter.cache import Catalogue

    overrides = overrides if overrides is not None else Overrides()
    catalogue = cache.catalogue() if cache is not None else None
    rules: list[type[Rule]] | None = None
    if catalogue is None:
        rules = all_rules()
        catalogue = Catalogue(
            tuple(rule.info() for rule in rules), {rule.id: dict(rule.options) for rule in rules}
        )
        if cache is not None:
            cache.put_catalogue(catalogue)
    defaults = catalogue.defaults
    targets = discover(paths)
    configs: dict[Path, Config] = {}
    work: list[tuple[Path, Config]] = []
    results: dict[int, LintResult] = {}
    fail_on: Severity | None = overrides.fail_on
    for position, target in enumerate(targets):
        if target.error is not None:
            results[position] = LintResult(str(target.path), error=target.error)
            continue
        folder = target.path.parent
        if folder not in configs:
            configs[folder] = resolve(folder, overrides)
            validate_rules(configs[folder], defaults)
        config = configs[folder]
        fail_on = fail_on or config.fail_on
        work.append((target.path, config))
    positions = [i for i, t in enumerate(targets) if t.error is None]
    keys: dict[int, str] = {}
    if cache is not None:
        for position, (path, config) in zip(positions, work):
            try:
                keys[position] = cache.key(path, path.read_bytes(), config)
            except OSError:
                continue  # the reader reports it
            hit = cache.get(keys[position])
            if hit is not None:
                results[position] = hit
    todo = [(p, item) for p, item in zip(positions, work) if p not in results]
    if todo:
        if rules is None:
            rules = all_rules()
        done = _run([item for _, item in todo], rules, jobs, progress)
        for (position, _), result in zip(todo, done):
            results[position] = result
            if position in keys:
                cache.put(keys[position], result)  # type: ignore[union-attr]
    ordered = tuple(results[i] for i in range(len(targets)))
    if fail_on is None:
        fail_on = resolve(Path.cwd(), overrides).fail_on
    return LintReport(ordered, catalogue.rules, fail_on)


def all_rules() -> list[type[Rule]]:
    """:func:`harden.linter.registry.all_rules`, imported when needed (it imports every rule)."""
    from harden.linter.registry import all_rules as load_all

    return load_all()


def _run(
    work: list[tuple[Path, Config]],
    rules: Sequence[type[Rule]],
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> list[LintResult]:
    """Lint ``work`` on the shared pool (:mod:`harden.batch`): a notebook that kills
    its worker (a native parser crash) is that notebook's error, never harden's crash."""
    count = [0]

    def finished(_: int, __: LintResult) -> None:
        count[0] += 1
        if progress:
            progress(count[0], len(work))

    # Heaviest notebooks first, a few chunks per worker: lint items are short, so
    # the tail and the parent's round trips would otherwise cost a visible share.
    batch: Batch[_Item, LintResult] = Batch(
        _lint_in_worker, _crashed, weight=_size, chunks=CHUNKS_PER_WORKER
    )
    items = [(path, config, tuple(rules)) for path, config in work]
    return batch.run(items, workers_for(jobs, len(work), PARALLEL_THRESHOLD), finished)


_Item = tuple[Path, Config, tuple["type[Rule]", ...]]


def _size(item: _Item) -> float:
    """A notebook's lint cost, estimated by its file's size (0 when unreadable)."""
    try:
        return float(item[0].stat().st_size)
    except OSError:
        return 0.0


def _lint_in_worker(item: _Item) -> LintResult:
    path, config, rules = item
    return lint_path(path, config, rules)


def _crashed(item: _Item, detail: str) -> LintResult:
    problem = "the harden worker process linting this notebook died" + (
        f" ({detail})" if detail else " (a crash in a parser?); please report it"
    )
    return LintResult(str(item[0]), error=NotebookError(problem, item[0]))


__all__ = ["LintReport", "Target", "lint_notebook", "lint_path", "lint_paths"]
