"""The small, safe expression language of health conditions (never Python ``eval``).

A condition is a comparison over ``result``, the value a source returned: a number,
or a list of numbers (one per series, or every sample of a range query)::

    result < 300            result[0] >= 0.85          len(result) > 0
    isNaN(result)           max(result) <= 0.01 && min(result) > 0

Grammar (lowest precedence first)::

    or   := and (("||" | "or") and)*
    and  := not (("&&" | "and") not)*
    not  := ("!" | "not") not | cmp
    cmp  := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum  := prod (("+" | "-") prod)*
    prod := unary (("*" | "/") unary)*
    unary:= "-" unary | post
    post := atom ("[" or "]")*
    atom := NUMBER | "result" | "true" | "false" | NaN | Inf | NAME "(" or ")" | "(" or ")"

A comparison with a list on one side holds when it holds for every element (an empty
list makes no comparison true). Parse errors raise :class:`ConditionError` with the
column; evaluation problems raise :class:`EvalError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

Value = float | bool | list[float]
MAX_LENGTH = 500
MAX_DEPTH = 40

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op><=|>=|==|!=|&&|\|\||[<>!+\-*/()\[\],]))"
)
_COMPARE = ("<", "<=", ">", ">=", "==", "!=")


class ConditionError(ValueError):
    """A condition that does not parse; ``column`` is 1-based."""

    def __init__(self, message: str, text: str, column: int) -> None:
        self.column = column
        self.text = text
        caret = " " * (column - 1) + "^"
        super().__init__(f"{message} at column {column}\n    {text}\n    {caret}")
        self.short = f"{message} at column {column}"


class EvalError(ValueError):
    """A condition that parsed but cannot be evaluated on this value."""


@dataclass(frozen=True)
class Node:
    kind: str  # num, bool, result, call, index, neg, not, and, or, cmp, arith
    value: object = None
    args: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Tok]:
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters", text[:60], MAX_LENGTH)
    tokens: list[Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ConditionError(f"unexpected character {text[col - 1]!r}", text, col)
        kind = match.lastgroup or "op"
        start = match.start(kind)
        tokens.append(Tok(kind, match.group(kind), start + 1))
        pos = match.end()
    tokens.append(Tok("end", "", len(text) + 1))
    return tokens


FUNCTIONS = ("len", "isNaN", "isInf", "abs", "min", "max", "sum", "avg")
CONSTANTS = {"NaN": math.nan, "Inf": math.inf, "true": True, "false": False}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok:
        return self.tokens[self.i]

    def take(self) -> Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: Tok | None = None) -> ConditionError:
        tok = tok or self.peek()
        return ConditionError(message, self.text, tok.column)

    def expect(self, text: str) -> None:
        tok = self.peek()
        if tok.text != text:
            found = f"'{tok.text}'" if tok.kind != "end" else "the end"
            raise self.fail(f"expected '{text}', found {found}")
        self.take()

    def binary(self, ops: tuple[str, ...], kind: str, sub: Callable[[], Node]) -> Node:
        left = sub()
        while self.peek().text in ops:
            op = self.take().text
            left = Node(kind, op, (left, sub()))
        return left

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.fail("empty condition")
        node = self.or_()
        if self.peek().kind != "end":
            raise self.fail(f"unexpected '{self.peek().text}'")
        return node

    def or_(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("condition nested too deeply")
        node = self.binary(("||", "or"), "or", self.and_)
        self.depth -= 1
        return node

    def and_(self) -> Node:
        return self.binary(("&&", "and"), "and", self.not_)

    def not_(self) -> Node:
        if self.peek().text in ("!", "not"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail("condition nested too deeply")
            node = Node("not", None, (self.not_(),))
            self.depth -= 1
            return node
        left = self.sum_()
        if self.peek().text in _COMPARE:
            op = self.take().text
            left = Node("cmp", op, (left, self.sum_()))
            if self.peek().text in _COMPARE:
                raise self.fail("chained comparisons are not allowed; join them with &&")
        return left

    def sum_(self) -> Node:
        return self.binary(("+", "-"), "arith", self.prod)

    def prod(self) -> Node:
        return self.binary(("*", "/"), "arith", self.unary)

    def unary(self) -> Node:
        if self.peek().text == "-":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail("condition nested too deeply")
            node = Node("neg", None, (self.unary(),))
            self.depth -= 1
            return node
        node = self.atom()
        while self.peek().text == "[":
            self.take()
            node = Node("index", None, (node, self.or_()))
            self.expect("]")
        return node

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Node("num", float(tok.text))
        if tok.kind == "name":
            if tok.text == "result":
                return Node("result")
            if tok.text in CONSTANTS:
                value = CONSTANTS[tok.text]
                return Node("bool" if isinstance(value, bool) else "num", value)
            if tok.text in FUNCTIONS:
                self.expect("(")
                arg = self.or_()
                self.expect(")")
                return Node("call", tok.text, (arg,))
            raise self.fail(f"unknown name '{tok.text}' (use result, {', '.join(FUNCTIONS)})", tok)
        if tok.text == "(":
            node = self.or_()
            self.expect(")")
            return node
        found = "the end" if tok.kind == "end" else f"'{tok.text}'"
        raise self.fail(f"expected a value, found {found}", tok)


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its text and tree."""

    text: str
    tree: Node

    @property
    def uses(self) -> frozenset[str]:
        """Function names the condition calls (``len``/``isNaN`` decide no-data/NaN themselves)."""
        found: set[str] = set()
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node.kind == "call":
                found.add(str(node.value))
            stack.extend(node.args)
        return frozenset(found)

    def holds(self, result: float | list[float] | None) -> bool:
        from maestro_ci.jobs.health_eval import evaluate

        value = evaluate(self.tree, result)
        if isinstance(value, list):
            raise EvalError(f"'{self.text}' gives a list, not true/false; compare it with a number")
        return bool(value)


def parse_condition(text: str) -> Condition:
    return Condition(text, _Parser(text).parse())
