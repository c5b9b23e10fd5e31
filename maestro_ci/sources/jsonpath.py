"""A small JSON path: ``$``, ``$.data.score``, ``items[0].p95``, ``a["odd key"]``, ``items[*].v``.

Enough to point at a value in an API's answer; anything else is a clear error. Returns
``None`` with the first segment that matched nothing, so the gate can name it.
"""

from __future__ import annotations

import re
from typing import Any

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+|\*)\]|\[\"([^\"]*)\"\]|\['([^']*)'\]")


class PathError(ValueError):
    pass


def parse_path(path: str) -> list[str | int]:
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    elif text and not text.startswith((".", "[")):
        text = "." + text
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _SEGMENT.match(text, pos)
        if not match:
            raise PathError(
                f"JSON path {path!r} cannot be read at character {pos + 1 + (len(path) - len(text))}; "
                "write it like $.data.score or items[0].p95"
            )
        name, index, dq, sq = match.groups()
        if index is not None:
            parts.append(-1_000_000 if index == "*" else int(index))
        else:
            parts.append(name if name is not None else (dq if dq is not None else sq))
        pos = match.end()
    return parts


def select(document: Any, path: str) -> tuple[Any, str]:
    """The value at ``path`` and ``""``, or ``None`` and the part that matched nothing."""
    node: Any = document
    walked = "$"
    for part in parse_path(path):
        if part == -1_000_000:
            if not isinstance(node, list):
                return None, f"{walked} is not a list"
            walked += "[*]"
            continue
        if isinstance(part, int):
            label = f"{walked}[{part}]"
            items = node if isinstance(node, list) else None
            if items is None or not -len(items) <= part < len(items):
                return None, f"{label} matched nothing"
            node = items[part]
        else:
            label = f"{walked}.{part}"
            if isinstance(node, list):
                picked = [item.get(part) for item in node if isinstance(item, dict) and part in item]
                if not picked:
                    return None, f"{label} matched nothing"
                node = picked
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return None, f"{label} matched nothing"
        walked = label
    return node, ""
