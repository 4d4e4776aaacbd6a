"""The layering in docs/architecture.md holds: imports run one way, no cycles,
every tag defined once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "harden"
DOC = ROOT / "docs" / "architecture.md"


def _layers() -> list[tuple[str, list[str]]]:
    block = re.search(r"```layers\n(.*?)```", DOC.read_text(), re.S)
    assert block, "docs/architecture.md has no ```layers block"
    layers = []
    for line in block.group(1).strip().splitlines():
        name, members = line.split(":", 1)
        layers.append((name.strip(), members.split()))
    return list(reversed(layers))  # lowest first


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Import nodes under ``if TYPE_CHECKING:`` (annotations only; never run)."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        for stmt in node.body
        for inner in ast.walk(stmt)
    }


def _imports(runtime_only: bool = False) -> dict[str, set[str]]:
    """Module → harden modules it imports (anywhere in the file; with
    ``runtime_only``, leaving out ``TYPE_CHECKING`` imports)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text())
        skip = _type_checking_nodes(tree) if runtime_only else set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target.startswith("harden"):
                    # the most specific module that exists
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target in modules and target != name:
                        found.add(target)
        graph[name] = found
    return graph


def _unit(module: str) -> str:
    """The layer member a module belongs to: ``harden.linter.rules.h101`` → ``linter``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_is_in_a_layer() -> None:
    members = {m for _, ms in _layers() for m in ms}
    units = {_unit(m) for m in _imports()}
    assert units <= members, f"add to docs/architecture.md: {sorted(units - members)}"


def test_imports_follow_the_layering() -> None:
    layers = _layers()
    rank = {member: i for i, (_, ms) in enumerate(layers) for member in ms}
    core = set(layers[0][1])
    wrong = []
    for module, targets in _imports().items():
        for target in targets:
            a, b = _unit(module), _unit(target)
            if a == b or (a in core and b in core):
                continue
            if rank[b] >= rank[a]:
                wrong.append(f"{module} imports {target} ({a} may not import {b})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _imports(runtime_only=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            # a package's __init__ re-exporting its own modules is not a cycle
            if len(component) > 1 and not all(
                c == min(component, key=len) or c.startswith(min(component, key=len) + ".")
                for c in component
            ):
                cycles.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    assert not cycles, cycles


TAG_LITERALS = (
    "raises-exception",
    "injected-parameters",
    "harden-injected",
    "harden-ignore",
    "harden-nondeterministic",
    "papermill-error-cell-tag",
    "skip-execution",
)


def test_each_tag_is_defined_once() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "notebook" / "tags.py":
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        # Literal[...] types may spell a value that is also a tag (a parameter source)
        typed = {
            id(c)
            for n in ast.walk(tree)
            if isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Name)
            and n.value.id == "Literal"
            for c in ast.walk(n.slice)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and id(node) not in typed
                and any(tag == node.value or f'"{tag}"' in node.value for tag in TAG_LITERALS)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not offenders, "use harden.notebook.tags:\n" + "\n".join(offenders)


def test_magic_tables_live_in_one_module() -> None:
    """No other module names the magics it treats specially: they ask notebook.magics."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "notebook" / "magics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
                values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if (
                    {"matplotlib", "autoreload"} <= values
                    or {"timeit", "prun"} <= values
                    or {"pip", "conda"} <= values
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
