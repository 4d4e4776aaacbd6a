"""Code for the cells harden adds to a notebook copy, built with libcst.

Each added cell defines one private function, calls it and deletes it again
(in ``finally``), so it leaves no name behind in the notebook's namespace
whatever happens inside.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def literal(value: str | int) -> cst.BaseExpression:
    """A Python literal for a string or an integer."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"no literal for {type(value).__name__}")
    if isinstance(value, int):
        number = cst.Integer(str(abs(value)))
        return cst.UnaryOperation(cst.Minus(), number) if value < 0 else number
    return cst.SimpleString(repr(value))


def call_once(function: cst.FunctionDef, args: Sequence[cst.BaseExpression] = ()) -> str:
    """The source of a cell that defines ``function``, calls it with ``args`` and
    deletes it: ``def f(...): ...`` / ``try: f(...)`` / ``finally: del f``."""
    name = function.name
    call = cst.SimpleStatementLine([cst.Expr(cst.Call(name, [cst.Arg(a) for a in args]))])
    forget = cst.SimpleStatementLine([cst.Del(cst.Name(name.value))])
    guarded = cst.Try(
        body=cst.IndentedBlock([call]),
        finalbody=cst.Finally(body=cst.IndentedBlock([forget])),
    )
    return cst.Module(body=[function, guarded]).code


def function(
    name: str, body: Sequence[cst.BaseStatement], params: cst.Parameters | None = None
) -> cst.FunctionDef:
    """``def name(params): body``."""
    return cst.FunctionDef(
        cst.Name(name), params or cst.Parameters(), cst.IndentedBlock(list(body))
    )


__all__ = ["call_once", "function", "literal"]
