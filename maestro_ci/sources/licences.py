"""Licences of installed distributions, read from their metadata (``importlib.metadata``).

Order of trust: ``License-Expression`` (PEP 639, SPDX), then licence
classifiers (mapped to SPDX ids; several classifiers mean a choice, joined with
``OR``), then the free-text ``License`` field when it is a valid SPDX
expression. Anything else is unknown, and the raw text is kept so the finding
can name it.
"""

from __future__ import annotations

import importlib.metadata as md
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "BSD License": "BSD-3-Clause",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zope Public License": "ZPL-2.1",
    "Academic Free License (AFL)": "AFL-3.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "GNU General Public License (GPL)": "GPL-2.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL-2.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
}


@dataclass(frozen=True)
class PackageLicence:
    name: str
    version: str
    expression: str | None  # a valid SPDX expression, or None when unknown
    origin: str  # License-Expression | classifier | License | none | not installed
    raw: str = ""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_spdx(text: str) -> bool:
    from license_expression import get_spdx_licensing

    if not text or len(text) > 300 or "\n" in text.strip():
        return False
    info = get_spdx_licensing().validate(text, strict=False)
    return not info.errors


def licence_of(dist: md.Distribution) -> PackageLicence:
    meta: Any = dist.metadata
    name, version = meta.get("Name") or "?", dist.version
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        if is_spdx(expression):
            return PackageLicence(name, version, expression, "License-Expression", expression)
        return PackageLicence(name, version, None, "License-Expression", expression)
    found = [
        CLASSIFIERS[c.split(" :: ")[-1]]
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.split(" :: ")[-1] in CLASSIFIERS
    ]
    if found:
        return PackageLicence(
            name, version, " OR ".join(dict.fromkeys(found)), "classifier", "; ".join(found)
        )
    text = (meta.get("License") or "").strip()
    if text and is_spdx(text):
        return PackageLicence(name, version, text, "License", text)
    return PackageLicence(name, version, None, "License" if text else "none", text[:80])


def installed() -> dict[str, md.Distribution]:
    out: dict[str, md.Distribution] = {}
    for dist in md.distributions():
        name = cast(Any, dist.metadata).get("Name")
        if name:
            out.setdefault(canonical(name), dist)
    return out


def requirement_names(lines: Iterable[str], with_markers: bool = True) -> list[str]:
    """Names of the requirements in ``lines``; unparseable lines and unmet markers are skipped."""
    from packaging.requirements import InvalidRequirement, Requirement

    names: list[str] = []
    for line in lines:
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith(("#", "-")):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if with_markers and req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        names.append(canonical(req.name))
    return names


def resolve(declared: Iterable[str]) -> list[PackageLicence]:
    """The declared packages and everything they require (as installed here), with licences."""
    dists = installed()
    seen: dict[str, PackageLicence] = {}
    queue = [canonical(n) for n in declared]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        dist = dists.get(name)
        if dist is None:
            seen[name] = PackageLicence(name, "", None, "not installed")
            continue
        seen[name] = licence_of(dist)
        queue += requirement_names(dist.requires or [])
    return sorted(seen.values(), key=lambda p: canonical(p.name))
