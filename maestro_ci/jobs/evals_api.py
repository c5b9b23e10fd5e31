"""The public API of a Python module, from its AST: names and signatures.

Public names are ``__all__`` when the module defines it as a literal, else the
top-level functions, classes and variables not starting with ``_``; public
methods of public classes are included as ``Class.method``.
"""

from __future__ import annotations

import ast


class ApiParseError(ValueError):
    pass


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    kind = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{kind} {node.name}({ast.unparse(node.args)}){returns}"


def _literal_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            try:
                value = ast.literal_eval(node.value)  # type: ignore[attr-defined]
            except ValueError:
                return None
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                return list(value)
    return None


def _public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def public_api(source: str, file: str = "<module>") -> dict[str, str]:
    """``{name: signature}`` of the module's public surface."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ApiParseError(f"{file} does not parse: {exc.msg} (line {exc.lineno})") from exc
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[node.name] = _signature(node)
        elif isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            names[node.name] = f"class {node.name}({bases})"
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _public(item.name):
                    names[f"{node.name}.{item.name}"] = _signature(item)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id != "__all__":
                    names[target.id] = "variable"
    exported = _literal_all(tree)
    if exported is not None:
        keep = set(exported)
        return {k: v for k, v in names.items() if k.split(".")[0] in keep} | {
            k: "re-export" for k in keep if k not in names
        }
    return {k: v for k, v in names.items() if not k.split(".")[0].startswith("_")}


def compare(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(removed, changed, added) names."""
    removed = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    changed = sorted(n for n in set(before) & set(after) if before[n] != after[n])
    return removed, changed, added
