"""H004 non-idempotent-cell."""

from __future__ import annotations

from collections.abc import Iterator

from harden.analysis.model import Analysis, CallSite, CellAnalysis, Location, Mutation
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._idempotence import is_idempotent


class NonIdempotentCell(Rule):
    """A cell rebinds or mutates a name from its own value that another cell made.
    ## What it does
    Flags a cell that rebinds or mutates a name from its own earlier value, where that
    value came from another cell (`x = x + 1`, `df = df.drop(...)`, `df["a"] *= 2`,
    `rows.append(r)`). Rebinding through idempotent transforms (`df = df.dropna()`, `df
    = df[df.a > 0]`, `s = s.str.lower()`), the same transforms with `inplace=True`
    (`df.dropna(inplace=True)`, `df.eval("D = A + B", inplace=True)`), changes to
    imported modules (`sys.path.append`) and a name the cell bound afresh before changing
    it are not flagged. Where the cell that made the receiver is visible, its type
    decides: `s.add(x)` on a set changes nothing on a second run, `df.add(1)` on a
    DataFrame returns a new frame; `d[5] = 1` then `del d[5]` in one cell undoes itself.

    ## Why is this bad?
    Running the cell a second time — which happens all the time while exploring —
    applies the change again: the column is doubled twice, the list grows, the dropped
    column is missing. What the notebook shows depends on how many times each cell was
    run, which no pipeline can reproduce.

    ## How to fix it
    Give the result a new name (`df_clean = df.drop(...)`), or build the value in one
    cell.
    """

    id = "H004"
    name = "non-idempotent-cell"
    severity = Severity.INFO

    valid = (
        Example("x = 0\nx = x + 1"),
        Example(
            "df = load()",
            "df = df.dropna()\ndf = df[df['price'] > 0]",
            "df['d'] = pd.to_datetime(df['d'])\ndf['n'] = df['n'].str.strip().str.lower()",
        ),
        Example("rows = []", "rows = []\nrows.append(1)"),
        Example("import sys", "sys.path.append('..')"),
        Example("df = load()", "df['total'] = df['a'] + df['b']\nclean = df.drop(columns='a')"),
        Example("df = load()", "df['a'] = df['a'].fillna(df['a'].median())"),
        Example("m = make()", "m.fit(X, y)\nm = m.fit(X, y)"),
        Example(
            "df = load()",
            "df = df.loc[df.a > 0].copy()\ndf = df[['a', 'b']]",
            "df.columns = [c.strip().lower().replace(' ', '_') for c in df.columns]",
        ),
        Example(
            "import pandas as pd\ndf = pd.read_csv('a.csv')\nseen = set()\nd = {}",
            "df.dropna(inplace=True)\ndf.eval('D = A + B', inplace=True)\n"
            "df.reset_index(drop=True, inplace=True)",
            "total = df.add(1)\nseen.add('a')\nd.update({'a': 1})",
            "d[5] = 1\ndel d[5]\nd['k'] = 2\nv = d.pop('k')",
            "b_list = load()",
            "b_list.append('foo')\nb_list.remove('foo')",
            "df = df.asfreq('D', method='pad')\ndf = df.loc[:, 2:5]\n"
            "df = df.loc[titles]\ndf = df.reindex(index)",
        ),
        Example("x = load()", "x = []\nx.append(1)\nx = x + [2]"),
    )
    invalid = (
        Example(
            "x = 1",
            "x = x + 1",
            message="`x` is rebound from its own value, which cell 1 defines",
            severity="info",
            expect=[(1, 1)],
        ),
        Example("df = load()", "print(df.shape)\ndf = df.drop(columns=['a'])", expect=[(1, 2)]),
        Example("df = load()", "df['a'] *= 2\ndf['a'] = df['a'] * 2", expect=[(1, 1)]),
        Example(
            "rows = []",
            "for r in range(3):\n    rows.append(r)",
            message="`rows.append(...)` changes `rows`; `rows` comes from cell 1",
            expect=[(1, 2)],
        ),
        Example("total = 0", "%time total += 5", expect=[(1, 1)]),
        Example("df = load()", "df.drop(columns=['a'], inplace=True)", expect=[(1, 1)]),
        Example("df = load()", "df = df.head(len(df) // 2)", expect=[(1, 1)]),
        Example("X = load()", "X = X.values", "X = X.to_numpy()", expect=[(1, 1), (2, 1)]),
        Example("df = load()", "df.columns = [c + '_x' for c in df.columns]", expect=[(1, 1)]),
        Example("d = {}", "k = 'a'\nd[f'{k}'] = d[f'{k}'] + 1", expect=[(1, 2)]),
        Example(
            "d = {}",
            "d[1] = 0\ndel d[2]",
            "rows = list()",
            "rows.append(1)",
            expect=[(1, 2), (3, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        analysis = ctx.analysis
        for cell in analysis.cells:
            providers = analysis.providers(cell.index)
            for name, location, what in _first_changes(cell):
                provider = providers.get(name)
                if provider is not None and _is_import(analysis, provider, name):
                    continue
                origin = f"cell {provider + 1}" if provider is not None else "another cell"
                yield Violation.at(
                    location,
                    what.replace(_ORIGIN, origin) + ": running this "
                    "cell twice applies the change twice",
                    related_cells=() if provider is None else (provider,),
                )


def _first_changes(cell: CellAnalysis) -> Iterator[tuple[str, Location, str]]:
    """Per outside name, the first non-idempotent self-referential rebinding or
    mutation, unless the cell bound the name afresh before it."""
    events: list[tuple[int, Location, str, str]] = []  # what: FRESH, SAME or a description
    for binding in cell.bindings:
        if not binding.from_self:
            events.append((binding.order, binding.location, binding.name, _FRESH))
        elif binding.kind in {"assign", "augmented", "walrus"}:
            same = is_idempotent(binding.statement)
            what = f"`{binding.name}` is rebound from its own value, which {_ORIGIN} defines"
            events.append((binding.order, binding.location, binding.name, _SAME if same else what))
    assigned: set[str] = set()  # ``d[5]`` after ``d[5] = 1``: a ``del d[5]`` undoes it
    undone = _undone(cell)  # ``xs.append(v)`` then ``xs.remove(v)``
    for mutation in sorted(cell.mutations, key=lambda m: m.order):
        if mutation in undone:
            continue
        if mutation.kind == "subscript" and not mutation.self_referential:
            assigned.add(mutation.detail)
            continue
        if mutation.kind == "delete" and mutation.detail in assigned:
            continue
        if (
            mutation.kind == "method"
            and mutation.detail == "pop"
            and _popped(cell, mutation) in assigned
        ):
            continue
        if mutation.self_referential and not is_idempotent(mutation.statement):
            if mutation.statement is not None or mutation.kind == "delete":
                what = f"`{mutation.detail}` is changed from its own value"
            else:
                inplace = ", inplace=True" if mutation.kind == "inplace" else ""
                what = (
                    f"`{mutation.name}.{mutation.detail}(...{inplace})` changes `{mutation.name}`"
                )
            what += f"; `{mutation.name}` comes from {_ORIGIN}"
            events.append((mutation.order, mutation.location, mutation.name, what))
    events.sort(key=lambda e: e[0])  # evaluation order: no positions needed
    outside = cell.immediate_reads
    done: set[str] = set()
    for _, location, name, what in events:
        if name in done or name not in outside or what == _SAME:
            continue
        done.add(name)
        if what != _FRESH:
            yield name, location, what


_UNDO = {"append": "remove", "add": "remove"}
_UNDO_METHODS = frozenset({*_UNDO, *_UNDO.values()})


def _call_of(cell: CellAnalysis, mutation: Mutation) -> CallSite | None:
    """The call a method mutation records (the analysis numbers it right after the call)."""
    for call in cell.calls:
        if call.order == mutation.order - 1:
            return call if call.method == mutation.detail else None
    return None


def _undone(cell: CellAnalysis) -> list[Mutation]:
    """Method mutations a later call in the cell undoes: ``xs.append(v)`` … ``xs.remove(v)``."""
    methods = [m for m in cell.mutations if m.kind == "method" and m.detail in _UNDO_METHODS]
    if not any(m.detail in _UNDO for m in methods):
        return []
    keyed: list[tuple[Mutation, str]] = []
    for mutation in sorted(methods, key=lambda m: m.order):
        call = _call_of(cell, mutation)
        first = call.positional(0) if call is not None else None
        if call is not None and first is not None and len(call.args) == 1:
            keyed.append((mutation, first.code))
    out: list[Mutation] = []
    for position, (mutation, argument) in enumerate(keyed):
        undo = _UNDO.get(mutation.detail)
        for later, later_argument in keyed[position + 1 :]:
            if (
                undo is not None
                and later.name == mutation.name
                and later.detail == undo
                and later_argument == argument
                and later not in out
            ):
                out += [mutation, later]
                break
    return out


def _popped(cell: CellAnalysis, mutation: Mutation) -> str | None:
    """``d["k"]`` for ``d.pop("k")``: the item a pop removes, written as a subscript."""
    call = _call_of(cell, mutation)
    key = call.positional(0) if call is not None else None
    return f"{mutation.name}[{key.code}]" if key is not None else None


_FRESH, _SAME, _ORIGIN = "\0fresh", "\0same", "\0origin"


def _is_import(analysis: Analysis, provider: int, name: str) -> bool:
    cell = analysis.cell(provider)
    return cell is not None and any(imp.name == name for imp in cell.imports)
