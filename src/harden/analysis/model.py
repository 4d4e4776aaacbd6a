"""The facts analysis produces: per-cell facts and the notebook-wide picture.

These values are the public, documented interface that lint rules, the
extractor, the runner and the test scaffolder read.  All locations are in the
cell as the user sees it: ``cell_index`` counts every cell (markdown too) from
0, ``line`` and ``column`` are 1-based; ``column`` is ``None`` on a line that
was rewritten from IPython syntax.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from harden.notebook.ipython import LineMap, PythonSource
from harden.notebook.magics import MagicKind
from harden.notebook.model import Cell, Notebook


@dataclass(frozen=True, eq=False)
class Location:
    cell_index: int
    line: int
    column: int | None = None

    # Equality and hashing by value, so that a location the analysis works
    # out lazily (a subclass) equals the plain one it stands for.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (self.cell_index, self.line, self.column) == (
            other.cell_index,
            other.line,
            other.column,
        )

    def __hash__(self) -> int:
        return hash((self.cell_index, self.line, self.column))


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a cell's Python could not be parsed.  ``python_accepts``: CPython compiles
    it and it runs; only harden cannot analyse it (too deep, or beyond libcst)."""

    message: str
    location: Location
    python_accepts: bool = False


@dataclass(frozen=True)
class MagicUse:
    """One piece of IPython-only syntax: ``%name args``, ``%%name``, ``!cmd``, ``x = !cmd``, ``x?``.

    For shell escapes ``name`` is the command's first word (``pip``,
    ``wget``) and ``args`` the whole command line.
    """

    kind: MagicKind
    name: str
    args: str
    location: Location


@dataclass(frozen=True)
class ImportBinding:
    """A name an import binds: ``import numpy as np`` binds ``np`` to ``numpy``.

    ``target`` is the qualified name the binding stands for (``numpy``,
    ``os.path``, ``sklearn.model_selection.train_test_split``); ``module`` is
    the module imported from.  ``conditional`` is true inside ``try``/``if``.
    """

    name: str
    target: str
    module: str
    location: Location
    is_star: bool = False
    conditional: bool = False
    statement: Any = field(default=None, compare=False, repr=False)
    #: For a wildcard import: the names it binds when the analysis could read them (a
    #: module beside the notebook, see :mod:`harden.analysis.modules`), ``None`` when
    #: they cannot be known; ``star_imports`` maps those bound by an import in the
    #: module to their qualified target (``pd`` → ``pandas``).
    star_names: frozenset[str] | None = None
    star_imports: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Argument:
    """One argument of a call: its keyword (``None`` when positional), the
    names it reads, its value when it is a literal string/number/bool/None,
    and its libcst ``node`` (whose source :attr:`code` gives)."""

    keyword: str | None
    names: frozenset[str]
    literal: Any = None
    is_literal: bool = False
    node: Any = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def code(self) -> str:
        """The argument's value as written (generated when first asked for)."""
        if self.node is None:
            return ""
        import libcst as cst

        return cst.Module(body=[]).code_for_node(self.node)


@dataclass(frozen=True)
class CallSite:
    """A call, with the callee's dotted name as written and as resolved.

    ``dotted`` is what the code says (``pd.read_csv``, ``scaler.fit``);
    ``qualified_name`` resolves the first part through the notebook's imports
    (``pandas.read_csv``), ``None`` when it is not an import.  For a method
    call, ``receiver`` is the dotted receiver (``scaler``) and
    ``receiver_type`` the qualified name of the call that produced it when
    the analysis can tell (``sklearn.preprocessing.StandardScaler`` for
    ``scaler = StandardScaler()``).  ``assigned_to`` lists the names the
    call's result is assigned to, when the call is an assignment's value.
    """

    dotted: str | None
    location: Location
    args: tuple[Argument, ...] = ()
    qualified_name: str | None = None
    receiver: str | None = None
    receiver_type: str | None = None
    assigned_to: tuple[str, ...] = ()
    in_function: str | None = None
    node: Any = field(default=None, compare=False, repr=False)
    #: Where the fact comes in the cell's evaluation order (statement by
    #: statement; a statement's calls before the names it binds), shared by
    #: bindings, calls and mutations: sort by it, not by location.
    order: int = field(default=0, compare=False, repr=False)

    @property
    def method(self) -> str | None:
        if self.dotted and "." in self.dotted:
            return self.dotted.rsplit(".", 1)[1]
        return None

    @property
    def keywords(self) -> frozenset[str]:
        return frozenset(arg.keyword for arg in self.args if arg.keyword)

    def keyword(self, name: str) -> Argument | None:
        for arg in self.args:
            if arg.keyword == name:
                return arg
        return None

    def positional(self, index: int) -> Argument | None:
        positional = [arg for arg in self.args if arg.keyword is None]
        return positional[index] if index < len(positional) else None

    @property
    def names_read(self) -> frozenset[str]:
        names: set[str] = set()
        for arg in self.args:
            names |= arg.names
        return frozenset(names)


@dataclass(frozen=True)
class StringLiteral:
    """A string literal's value; for an f-string, one literal part of it.

    ``mid_fstring`` marks an f-string part that follows a ``{…}`` expression
    (``"/data.csv"`` in ``f"{base}/data.csv"``): not the start of the string.
    """

    value: str
    location: Location
    mid_fstring: bool = False


@dataclass(frozen=True)
class Definition:
    """A ``def`` or ``class`` at the top level of a cell.

    ``global_reads`` are the notebook-level names its body reads when it runs
    (not its own locals or parameters); ``global_writes`` the names it binds
    through ``global``.
    """

    name: str
    kind: Literal["function", "class"]
    location: Location
    global_reads: frozenset[str] = frozenset()
    global_writes: frozenset[str] = frozenset()
    node: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NameRead:
    """A read of a notebook-level name; ``deferred`` reads happen inside a
    function body, so at call time rather than when the cell runs."""

    name: str
    location: Location
    deferred: bool = False
    in_function: str | None = None


MutationKind = Literal["subscript", "attribute", "augmented", "method", "inplace", "delete"]


@dataclass(frozen=True)
class Mutation:
    """A change to an object a name refers to, without rebinding the name.

    ``self_referential`` is true when running the statement twice gives a
    different result (``df["a"] *= 2``, ``lst.append(x)``, ``drop(..., inplace=True)``).
    """

    name: str
    kind: MutationKind
    location: Location
    detail: str = ""
    self_referential: bool = False
    #: The libcst assignment statement, for subscript/attribute/augmented kinds.
    statement: Any = field(default=None, compare=False, repr=False)
    #: Where the fact comes in the cell's evaluation order (statement by
    #: statement; a statement's calls before the names it binds), shared by
    #: bindings, calls and mutations: sort by it, not by location.
    order: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Binding:
    """A module-level binding of ``name`` in a cell.

    ``from_self`` marks a rebinding computed from the name's value before the
    statement (``x = x + 1``, ``df = df.drop(...)``, ``x += 1``).
    ``literal`` holds the value of ``NAME = <literal>`` assignments (when
    ``is_literal``); ``sources`` are the names the assigned value reads.
    """

    name: str
    location: Location
    kind: Literal[
        "assign",
        "augmented",
        "import",
        "def",
        "class",
        "for",
        "with",
        "except",
        "walrus",
        "global",
        "other",
    ]
    from_self: bool = False
    literal: Any = None
    is_literal: bool = False
    annotation: str | None = None
    sources: frozenset[str] = frozenset()
    statement: Any = field(default=None, compare=False, repr=False)
    #: Where the fact comes in the cell's evaluation order (statement by
    #: statement; a statement's calls before the names it binds), shared by
    #: bindings, calls and mutations: sort by it, not by location.
    order: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class CellAnalysis:
    """Everything the analysis knows about one code cell."""

    cell: Cell
    python: PythonSource
    syntax_error: SyntaxProblem | None = None
    bindings: tuple[Binding, ...] = ()
    reads: tuple[NameRead, ...] = ()
    mutations: tuple[Mutation, ...] = ()
    deletes: frozenset[str] = frozenset()
    imports: tuple[ImportBinding, ...] = ()
    calls: tuple[CallSite, ...] = ()
    strings: tuple[StringLiteral, ...] = ()
    definitions: tuple[Definition, ...] = ()
    magics: tuple[MagicUse, ...] = ()
    code_lines: int = 0
    module: Any = field(default=None, compare=False, repr=False)
    locator: Any = field(default=None, compare=False, repr=False)

    def location(self, node: Any) -> Location | None:
        """Where a node of :attr:`module` starts in the cell as the user sees
        it; ``None`` for nodes the analysis did not parse."""
        return self.locator(node) if self.locator is not None else None

    #: Names read after the cell itself bound them (``x = 1; print(x)``):
    #: uses the cell satisfies, so they are not in ``reads``.
    local_reads: frozenset[str] = frozenset()
    #: Names the cell leaves unbound however it runs: ``del x`` at the top level, outside
    #: any ``if``/``try``/loop, not bound again afterwards.
    unbinds: frozenset[str] = frozenset()
    #: Names only an ``except ... as name`` handler bound, which Python unbinds when the
    #: handler ends (not bound again afterwards): reads after the handler find nothing.
    handler_names: frozenset[str] = frozenset()
    #: Names IPython may substitute into a shell escape or line magic
    #: (``!ls {folder}``, ``%cd $path``).  IPython expands them only when they
    #: exist, so they are uses of a binding but never unresolved reads.
    expanded_reads: frozenset[str] = frozenset()
    #: What in the cell may bind names the analysis cannot know, as the code says it
    #: (``from pylab import *``, ``%run helper.py`` when the file cannot be read).
    opaque: tuple[str, ...] = ()
    #: Names a wildcard import of a module beside the notebook, or ``%run script.py``,
    #: binds (read from the file, see :mod:`harden.analysis.modules`); not in
    #: ``bindings``, since no statement of the notebook assigns them.
    provides: frozenset[str] = frozenset()
    #: Names the cell binds to a builtin container, with its type (``builtins.set``),
    #: so a later cell knows what ``s.add(x)`` does.
    typed: tuple[tuple[str, str], ...] = ()

    @property
    def index(self) -> int:
        return self.cell.index

    @property
    def line_map(self) -> LineMap:
        return self.python.line_map

    @property
    def defines(self) -> frozenset[str]:
        """Names bound at notebook level when the cell runs."""
        return frozenset(binding.name for binding in self.bindings)

    @property
    def free_reads(self) -> frozenset[str]:
        """Names read before the cell binds them (so from earlier cells),
        including reads in function bodies."""
        return frozenset(read.name for read in self.reads)

    @property
    def immediate_reads(self) -> frozenset[str]:
        return frozenset(read.name for read in self.reads if not read.deferred)

    @property
    def uses(self) -> frozenset[str]:
        """Every notebook-level name the cell reads anywhere: free reads,
        reads of its own bindings, reads in function bodies, expanded names."""
        return self.free_reads | self.local_reads | self.expanded_reads

    @property
    def mutates(self) -> frozenset[str]:
        return frozenset(mutation.name for mutation in self.mutations)

    @property
    def rebinds(self) -> frozenset[str]:
        return frozenset(binding.name for binding in self.bindings if binding.from_self)

    def first_read(self, name: str) -> NameRead | None:
        for read in self.reads:
            if read.name == name:
                return read
        return None

    def binding(self, name: str) -> Binding | None:
        for binding in self.bindings:
            if binding.name == name:
                return binding
        return None


@dataclass(frozen=True)
class Dependency:
    """Cell ``reader`` reads ``name``, which cell ``provider`` (the latest
    earlier cell that defines it) provides; ``via`` names the notebook
    function whose body does the read, when it happens at call time."""

    reader: int
    name: str
    provider: int
    location: Location
    via: str | None = None


@dataclass(frozen=True)
class UnresolvedRead:
    """A read no earlier cell satisfies.

    ``kind`` is ``later`` when only later cells define the name (running top
    to bottom fails), ``undefined`` when no cell does, ``star`` when a
    wildcard import might provide it.
    """

    reader: int
    name: str
    location: Location
    kind: Literal["later", "undefined", "star"]
    definers: tuple[int, ...] = ()
    via: str | None = None
    #: The earlier cell whose ``del`` removed the name after the last cell that bound it.
    deleted_in: int | None = None
    #: The latest cell at or before the reader that may bind names the analysis cannot
    #: know (a wildcard import of an unreadable module, ``%run`` of a missing file).
    opaque_in: int | None = None


@dataclass(frozen=True)
class Parameter:
    """A literal assignment in the ``parameters`` cell (or, for notebooks
    without one, a leading configuration literal)."""

    name: str
    value: Any
    type_name: str
    location: Location
    code: str


@dataclass(frozen=True)
class Analysis:
    """One notebook, analysed once; every step reads this."""

    notebook: Notebook
    cells: tuple[CellAnalysis, ...]
    dependencies: tuple[Dependency, ...]
    unresolved: tuple[UnresolvedRead, ...]
    parameters: tuple[Parameter, ...]
    parameters_cell: int | None
    _by_index: dict[int, CellAnalysis] = field(default_factory=dict, compare=False, repr=False)

    def cell(self, index: int) -> CellAnalysis | None:
        """The analysis of the code cell at notebook position ``index``."""
        return self._by_index.get(index)

    @property
    def imports(self) -> tuple[ImportBinding, ...]:
        return tuple(imp for cell in self.cells for imp in cell.imports)

    @property
    def calls(self) -> tuple[CallSite, ...]:
        return tuple(call for cell in self.cells for call in cell.calls)

    @property
    def magics(self) -> tuple[MagicUse, ...]:
        return tuple(magic for cell in self.cells for magic in cell.magics)

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return tuple(d for cell in self.cells for d in cell.definitions)

    def definers(self, name: str) -> tuple[int, ...]:
        """Indexes of the cells that bind ``name`` at notebook level."""
        return tuple(cell.index for cell in self.cells if name in cell.defines)

    def providers(self, reader: int) -> dict[str, int]:
        """For cell ``reader``: name → the cell that provides it."""
        return dict(self._providers.get(reader, {}))

    @functools.cached_property
    def _providers(self) -> dict[int, dict[str, int]]:
        by_reader: dict[int, dict[str, int]] = {}
        for dep in self.dependencies:
            by_reader.setdefault(dep.reader, {})[dep.name] = dep.provider
        return by_reader

    def readers(self, name: str, after: int = -1) -> tuple[int, ...]:
        """Cells after ``after`` that read ``name`` (at run or call time)."""
        return tuple(
            cell.index for cell in self.cells if cell.index > after and name in cell.free_reads
        )
