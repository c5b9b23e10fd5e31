"""The affected job: a change set and the import graph (and a coverage map) → tests to run.

Safety first: anything the job cannot reason about (a trigger file, a file that
does not parse, a non-literal import in a changed module, a deleted module
still imported) runs every test, with the reason. Precise mode narrows a
changed function to the tests that ran it; everything else uses the graph.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from maestro_ci.jobs.affected_precise import Fallback, select_precise
from maestro_ci.jobs.affected_rules import Trigger, classify, tests_matching, tests_under
from maestro_ci.models import ChangeKind, ChangeSet, GateResult, Reason, Status
from maestro_ci.sections.affected import AffectedSection
from maestro_ci.sources.coverage_map import CoverageMap
from maestro_ci.sources.importgraph import ImportGraph

MAX_WHY = 3


@dataclass(frozen=True)
class AffectedInput:
    change: ChangeSet
    graph: ImportGraph
    settings: AffectedSection
    mode: str = "static"
    range: dict[str, str] = field(default_factory=dict)
    override: str | None = None
    config_selection_changed: bool | None = None
    plugins: tuple[str, ...] = ()
    doctests: bool = False
    cmap: CoverageMap | None = None
    map_note: str = ""
    base_blobs: dict[str, str] = field(default_factory=dict)
    base_sources: dict[str, str] = field(default_factory=dict)
    old_lines: dict[str, set[int]] = field(default_factory=dict)
    observe: bool = False
    stale: frozenset[str] = frozenset()


@dataclass
class Selection:
    selected: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    fallbacks: dict[str, str] = field(default_factory=dict)
    precise_files: list[str] = field(default_factory=list)
    unimported: list[str] = field(default_factory=list)

    def add(self, test: str, why: dict[str, object]) -> None:
        reasons = self.selected.setdefault(test, [])
        if len(reasons) < MAX_WHY and why not in reasons:
            reasons.append(why)


def decide(inp: AffectedInput) -> GateResult:
    graph, sel = inp.graph, Selection()
    if inp.override:
        sel.triggers.append(Trigger("affected.override", "", f"full run requested by {inp.override}"))
    found = classify(inp.change.files, graph, inp.settings, inp.config_selection_changed)
    sel.triggers.extend(found.triggers)
    changed: dict[str, str] = {}
    for change in found.python:
        path = change.path
        mod = graph.module_of(path)
        if path in graph.errors:
            sel.triggers.append(Trigger("affected.unparsable", path, f"{path}: {graph.errors[path]}"))
            continue
        if mod is None:
            continue
        if mod in graph.dynamic:
            line = graph.dynamic[mod][0]
            sel.triggers.append(
                Trigger(
                    "affected.dynamic-import",
                    path,
                    f"{path} line {line}: an import whose name is not a literal",
                )
            )
            continue
        if _try_precise(inp, change.path, change.kind, sel):
            continue
        changed[mod] = path
    for folder, source in sorted(found.folders.items()):
        for test in tests_under(folder, graph):
            sel.add(test, {"kind": "folder", "changed": source, "via": [folder + "/"]})
    for source, globs in sorted(found.mapped.items()):
        tests = tests_matching(globs, graph)
        if not tests:
            sel.triggers.append(
                Trigger("affected.map-empty", source, f"selection.map for {source} matches no test")
            )
        for test in tests:
            sel.add(test, {"kind": "map", "changed": source, "via": globs})
    stale: set[str] = set()
    if sel.precise_files:
        for path in sorted(inp.stale):
            mod = graph.module_of(path)
            if mod is not None and mod not in changed:
                changed[mod] = path
                stale.add(path)
    _static(inp, changed, sel, stale)
    for path, error in sorted(graph.errors.items()):
        if path in graph.test_files and path not in sel.selected:
            sel.add(path, {"kind": "unparsable", "changed": path, "via": [error]})
    return to_result(inp, sel)


def _try_precise(inp: AffectedInput, path: str, kind: ChangeKind, sel: Selection) -> bool:
    if inp.mode == "static" or inp.cmap is None:
        return False
    name = path.rsplit("/", 1)[-1]
    if path in inp.graph.test_files or name == "conftest.py":
        return False
    if kind is not ChangeKind.MODIFIED:
        sel.fallbacks[path] = f"{kind} file: the map cannot know it"
        return False
    entry = inp.cmap.files.get(path)
    unimported = inp.cmap.unimported.get(path)
    if entry is None and unimported is not None and unimported == inp.base_blobs.get(path):
        # no test imported this content when the map was recorded (and importers are files of
        # their own: a change that starts importing it is a change there), so only a test that
        # runs code in a subprocess can reach it
        sel.precise_files.append(path)
        sel.unimported.append(path)
        _add_opaque(inp, path, sel, inp.graph.test_files | set(inp.graph.files))
        return True
    if entry is None or entry.blob != inp.base_blobs.get(path):
        seen = entry is not None or unimported is not None
        sel.fallbacks[path] = "the map saw another version" if seen else "not in the coverage map"
        return False
    hit = select_precise(path, inp.base_sources.get(path, ""), inp.old_lines.get(path, set()), inp.cmap)
    if isinstance(hit, Fallback):
        sel.fallbacks[path] = hit.reason
        return False
    sel.precise_files.append(path)
    known = inp.graph.test_files | set(inp.graph.files)
    for test in sorted(hit.tests):
        if test.split("::", 1)[0] in known:
            sel.add(
                function_id(test),
                {"kind": "coverage", "changed": path, "via": [f"{f}()" for f in hit.functions]},
            )
    _add_opaque(inp, path, sel, known)
    return True


def _add_opaque(inp: AffectedInput, path: str, sel: Selection, known: frozenset[str]) -> None:
    """Tests that started a subprocess: coverage cannot see what they reach, so they run."""
    assert inp.cmap is not None
    for index in inp.cmap.opaque:
        test = inp.cmap.tests[index]
        if test.split("::", 1)[0] in known:
            sel.add(function_id(test), {"kind": "opaque", "changed": path, "via": []})


def function_id(nodeid: str) -> str:
    """A node id without its parameters: every parametrization runs (ids may change between runs)."""
    return nodeid.split("[", 1)[0] if nodeid.endswith("]") else nodeid


def _static(inp: AffectedInput, changed: dict[str, str], sel: Selection, stale: set[str]) -> None:
    graph = inp.graph
    reverse = graph.reverse()
    parent: dict[str, str] = dict.fromkeys(changed, "")
    queue = deque(sorted(changed))
    while queue:
        mod = queue.popleft()
        for importer in sorted(reverse.get(mod, ())):
            if importer not in parent:
                parent[importer] = mod
                queue.append(importer)
    plugins = {m for name in inp.plugins for m in graph.resolve(name)}
    for mod in sorted(parent):
        chain = [mod]
        while parent[chain[-1]]:
            chain.append(parent[chain[-1]])
        source = changed[chain[-1]]
        path = graph.modules[mod]
        why: dict[str, object] = {
            "kind": "stale-map" if source in stale else "import",
            "changed": source,
            "via": chain,
        }
        name = path.rsplit("/", 1)[-1]
        if mod in plugins:
            sel.triggers.append(
                Trigger("affected.plugin", path, f"{path} is a pytest plugin (-p) reached by {source}")
            )
        if path in graph.test_files:
            sel.add(
                path,
                why
                if len(chain) > 1 or source in stale
                else {"kind": "changed", "changed": source, "via": []},
            )
        elif name == "conftest.py":
            folder = path.rpartition("/")[0]
            if not folder:
                sel.triggers.append(
                    Trigger("affected.root-conftest", path, f"the root conftest.py is reached by {source}")
                )
            for test in tests_under(folder, graph):
                sel.add(test, {**why, "kind": "conftest"})
        elif inp.doctests and mod in graph.doctests:
            sel.add(path, {**why, "kind": "doctest"})


def to_result(inp: AffectedInput, sel: Selection) -> GateResult:
    graph = inp.graph
    run_all = bool(sel.triggers)
    selected = {} if run_all else dict(sorted(sel.selected.items()))
    total = len(graph.test_files)
    files = {t.split("::", 1)[0] for t in selected}
    effective = inp.mode if inp.mode == "static" else ("precise" if sel.precise_files else "static")
    if run_all:
        why = "; ".join(t.message for t in sel.triggers[:3])
        summary = f"run all tests: {why}"
    elif not selected:
        summary = f"no test selected: the change reaches no test ({len(inp.change.files)} file(s) changed)"
    else:
        summary = f"{len(selected)} selected ({len(files)} of {total} test files), {effective} mode"
    if inp.observe:
        summary = f"observe: running all; would have {summary[0].lower()}{summary[1:]}"
    reasons = [Reason(code=t.code, message=t.message, fix="", severity=Status.PASS) for t in sel.triggers]
    details = {
        "mode": inp.mode,
        "effective_mode": effective,
        "range": inp.range,
        "run_all": run_all or inp.observe,
        "observe": inp.observe,
        "triggers": [t.as_dict() for t in sel.triggers],
        "selected": [{"test": t, "why": w} for t, w in selected.items()],
        "would_select": sorted(selected) if inp.observe else [],
        "total_known": total,
        "changed": [c.path for c in inp.change.files],
        "fallbacks": dict(sorted(sel.fallbacks.items())),
        "precise_files": sorted(sel.precise_files),
        "unimported": sorted(sel.unimported),
        "map": inp.map_note,
        "graph_warnings": graph.warnings + [f"{p}: {e}" for p, e in sorted(graph.errors.items())][:20],
    }
    metrics: dict[str, float | int | str | bool | None] = {
        "selected": len(selected),
        "selected_files": len(files),
        "total_test_files": total,
        "run_all": run_all,
        "changed_files": len(inp.change.files),
        "modules": len(graph.modules),
    }
    return GateResult(
        gate="affected",
        status=Status.PASS,
        summary=summary,
        reasons=reasons,
        metrics=metrics,
        details=details,
    )
