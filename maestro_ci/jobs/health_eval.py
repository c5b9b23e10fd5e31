"""Evaluation of a parsed health condition over ``result`` (see :mod:`health_expr` for the grammar).

Numbers are floats; a list compares element by element (every element must satisfy the
comparison; an empty list satisfies none). Arithmetic needs single numbers. Problems raise
:class:`EvalError`, which the loop records as an error measurement.
"""

from __future__ import annotations

import math

from maestro_ci.jobs.health_expr import EvalError, Node, Value


def evaluate(node: Node, result: float | list[float] | None) -> Value:
    """The value of ``node`` for this ``result``."""
    return _eval(node, result)


def _num(value: Value, what: str) -> float:
    if isinstance(value, list):
        if len(value) == 1:
            return value[0]
        raise EvalError(f"{what} needs one number, got a list of {len(value)}; use result[0] or max(result)")
    return float(value)


def _call(name: str, value: Value) -> Value:
    items = value if isinstance(value, list) else [float(value)]
    if name == "len":
        return float(len(items))
    if name == "isNaN":
        return bool(items) and all(math.isnan(v) for v in items)
    if name == "isInf":
        return bool(items) and all(math.isinf(v) for v in items)
    if name == "abs":
        return [abs(v) for v in items] if isinstance(value, list) else abs(float(value))
    if not items:
        raise EvalError(f"{name}() of an empty list")
    if name == "min":
        return min(items)
    if name == "max":
        return max(items)
    total = math.fsum(items)
    return total if name == "sum" else total / len(items)


def _compare(op: str, left: float, right: float) -> bool:
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[op]


def _eval(node: Node, result: float | list[float] | None) -> Value:
    kind = node.kind
    if kind in ("num", "bool"):
        return node.value  # type: ignore[return-value]
    if kind == "result":
        if result is None:
            raise EvalError("the source returned no data")
        return result
    if kind == "call":
        return _call(str(node.value), _eval(node.args[0], result))
    if kind == "index":
        base = _eval(node.args[0], result)
        idx = _num(_eval(node.args[1], result), "an index")
        items = base if isinstance(base, list) else [float(base)]
        if not idx.is_integer() or not -len(items) <= idx < len(items):
            raise EvalError(f"index {idx:g} is out of range for {len(items)} value(s)")
        return items[int(idx)]
    if kind == "neg":
        return -_num(_eval(node.args[0], result), "'-'")
    if kind == "not":
        return not _truth(_eval(node.args[0], result))
    if kind == "and":
        return _truth(_eval(node.args[0], result)) and _truth(_eval(node.args[1], result))
    if kind == "or":
        return _truth(_eval(node.args[0], result)) or _truth(_eval(node.args[1], result))
    left, right = _eval(node.args[0], result), _eval(node.args[1], result)
    op = str(node.value)
    if kind == "cmp":
        if isinstance(left, list) or isinstance(right, list):
            lefts = left if isinstance(left, list) else [float(left)]
            rights = right if isinstance(right, list) else [float(right)]
            if not lefts or not rights:
                return False
            return all(_compare(op, a, b) for a in lefts for b in rights)
        return _compare(op, float(left), float(right))
    a, b = _num(left, f"'{op}'"), _num(right, f"'{op}'")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a))


def _truth(value: Value) -> bool:
    if isinstance(value, list):
        raise EvalError("a list is not true or false; compare it with a number")
    return bool(value)
