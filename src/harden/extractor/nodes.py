"""Small libcst node builders: the generated module is built from nodes, never from strings.

Values that come from the notebook (names, paths, docstrings) only ever
enter the tree as ``Name`` nodes (checked identifiers) or as string
literals built with ``repr``, so no notebook text can change the code's
structure.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Sequence

import libcst as cst

#: What a module or block body holds (``cst.Module.body``'s element type).
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def dotted(path: str) -> cst.Name | cst.Attribute:
    """``a.b.c`` as an attribute chain."""
    parts = path.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(node, cst.Name(part))
    return node


def string(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value))


def docstring_text(text: str) -> cst.SimpleString:
    """A triple-quoted docstring when the text allows it, else a plain literal."""
    text = text.strip()
    safe = (
        '"""' not in text
        and "\\" not in text
        and not text.endswith('"')
        and all(c.isprintable() or c == "\n" for c in text)
    )
    if safe:
        closing = "\n" if "\n" in text else ""
        return cst.SimpleString(f'"""{text}{closing}"""')
    return string(text)


def docstring(text: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(docstring_text(text))])


def line(small: cst.BaseSmallStatement, blank_before: bool = False) -> cst.SimpleStatementLine:
    leading = [cst.EmptyLine()] if blank_before else []
    return cst.SimpleStatementLine([small], leading_lines=leading)


def call(
    func: str | cst.BaseExpression,
    args: Sequence[cst.BaseExpression] = (),
    keywords: Sequence[tuple[str, cst.BaseExpression]] = (),
) -> cst.Call:
    callee = dotted(func) if isinstance(func, str) else func
    built = [cst.Arg(value) for value in args]
    built += [cst.Arg(value, keyword=cst.Name(name)) for name, value in keywords]
    return cst.Call(callee, built)


def assign(targets: Sequence[str], value: cst.BaseExpression) -> cst.Assign:
    if len(targets) == 1:
        target: cst.BaseAssignTargetExpression = cst.Name(targets[0])
    else:
        target = cst.Tuple([cst.Element(cst.Name(n)) for n in targets], lpar=[], rpar=[])
    return cst.Assign([cst.AssignTarget(target)], value)


def names_tuple(names: Sequence[str]) -> cst.BaseExpression:
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=[], rpar=[])


def param(
    name: str,
    annotation: str | cst.BaseExpression | None = None,
    default: cst.BaseExpression | None = None,
) -> cst.Param:
    note = None
    if annotation is not None:
        note = cst.Annotation(dotted(annotation) if isinstance(annotation, str) else annotation)
    return cst.Param(cst.Name(name), annotation=note, default=default)


def union_none(type_: str | cst.BaseExpression) -> cst.BinaryOperation:
    left = dotted(type_) if isinstance(type_, str) else type_
    return cst.BinaryOperation(left, cst.BitOr(), cst.Name("None"))


def function(
    name: str,
    params: cst.Parameters,
    body: Sequence[Statement],
    returns: cst.BaseExpression | None = None,
) -> cst.FunctionDef:
    return cst.FunctionDef(
        cst.Name(name),
        params,
        cst.IndentedBlock(list(body)),
        returns=cst.Annotation(returns) if returns is not None else None,
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


def subscript(value: str, *items: cst.BaseExpression) -> cst.Subscript:
    return cst.Subscript(dotted(value), [cst.SubscriptElement(cst.Index(i)) for i in items])


def dict_of_names(names: Sequence[str]) -> cst.Dict:
    return cst.Dict([cst.DictElement(string(n), cst.Name(n)) for n in names])


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def wrap(text: str, width: int = 79) -> str:
    """Paragraphs with a line longer than ``width`` re-flowed; lists and short
    lines kept as written."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    out: list[str] = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if all(len(line_) <= width for line_ in lines):
            out.append(paragraph)
        elif any(_LIST_ITEM.match(line_) for line_ in lines):
            out.append(
                "\n".join(
                    "\n".join(
                        textwrap.wrap(
                            line_,
                            width,
                            break_long_words=False,
                            break_on_hyphens=False,
                            subsequent_indent="  ",
                        )
                    )
                    if len(line_) > width
                    else line_
                    for line_ in lines
                )
            )
        else:
            out.append(
                textwrap.fill(
                    " ".join(line_.strip() for line_ in lines),
                    width,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return "\n\n".join(out)


def free_name(base: str, taken: set[str], alternatives: Sequence[str] = ()) -> str:
    for candidate in (base, *alternatives):
        if candidate not in taken and not keyword.iskeyword(candidate):
            taken.add(candidate)
            return candidate
    stem = alternatives[-1] if alternatives else base
    number = 2
    while f"{stem}_{number}" in taken:
        number += 1
    taken.add(f"{stem}_{number}")
    return f"{stem}_{number}"
