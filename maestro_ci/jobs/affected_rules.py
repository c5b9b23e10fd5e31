"""Which changed files force a full run, and what a non-Python change reaches.

Pure: works on paths, the import graph and the ``selection:`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from maestro_ci.models import ChangeKind, FileChange
from maestro_ci.sections.affected import AffectedSection
from maestro_ci.sources.importgraph import ImportGraph, names_for

CONFIG_FILE = ".maestro.yml"


@dataclass
class Trigger:
    code: str
    file: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "file": self.file, "message": self.message}


@dataclass
class Classified:
    python: list[FileChange] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    folders: dict[str, str] = field(default_factory=dict)  # test folder → changed file
    mapped: dict[str, list[str]] = field(default_factory=dict)  # changed file → test globs
    deleted_tests_folders: dict[str, str] = field(default_factory=dict)


def _spec(globs: list[str]) -> object:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(globs)


def _match(spec: object, path: str | None) -> bool:
    return bool(path) and bool(spec.match_file(path))  # type: ignore[attr-defined]


def classify(
    files: list[FileChange],
    graph: ImportGraph,
    settings: AffectedSection,
    config_selection_changed: bool | None,
) -> Classified:
    out = Classified()
    triggers = _spec(settings.run_all_on)
    safe = _spec(settings.safe)
    for change in files:
        paths = [p for p in (change.path, change.old_path) if p]
        hit = next((p for p in paths if _match(triggers, p)), None)
        if hit == CONFIG_FILE and config_selection_changed is False:
            out.ignored.append(f"{hit} (its selection: section did not change)")
            continue
        if hit is not None:
            out.triggers.append(
                Trigger("affected.trigger-file", hit, f"{hit} changed: it can affect every test")
            )
            continue
        if change.kind in (ChangeKind.DELETED, ChangeKind.RENAMED) and (
            change.old_path or change.path
        ).endswith(".py"):
            _deleted_module(change, graph, out)
        if change.path.endswith(".py") and change.kind is not ChangeKind.DELETED:
            out.python.append(change)
            continue
        if change.kind is ChangeKind.DELETED and change.path.endswith(".py"):
            if change.path.rsplit("/", 1)[-1] == "conftest.py":
                folder = change.path.rpartition("/")[0]
                if not folder:
                    out.triggers.append(
                        Trigger("affected.root-conftest", change.path, "the root conftest.py was deleted")
                    )
                else:
                    out.folders[folder] = change.path
            continue
        _non_python(change.path, graph, settings, safe, out)
    return out


def _deleted_module(change: FileChange, graph: ImportGraph, out: Classified) -> None:
    old = change.old_path if change.kind is ChangeKind.RENAMED else change.path
    if not old:
        return
    names = set(names_for(old, graph.roots))
    if not names:
        return
    for mod, wanted in sorted(graph.requested.items()):
        if graph.modules.get(mod) == change.path and change.kind is ChangeKind.RENAMED:
            continue
        if names & wanted and not any(graph.resolve(n) for n in names & wanted):
            out.triggers.append(
                Trigger(
                    "affected.deleted-module",
                    old,
                    f"{old} was {'renamed' if change.kind is ChangeKind.RENAMED else 'deleted'} "
                    f"but {graph.modules[mod]} still imports it",
                )
            )
            return


def _non_python(
    path: str, graph: ImportGraph, settings: AffectedSection, safe: object, out: Classified
) -> None:
    for pattern, tests in settings.map.items():
        if _match(_spec([pattern]), path):
            out.mapped[path] = tests
            return
    if _match(safe, path):
        out.ignored.append(path)
        return
    folder = test_folder(path, graph)
    if folder is None:
        out.triggers.append(
            Trigger(
                "affected.non-python",
                path,
                f"{path} is not Python, not under a test folder and not in selection.map or selection.safe",
            )
        )
    elif folder == "":
        out.triggers.append(Trigger("affected.non-python", path, f"{path} sits in the root test folder"))
    else:
        out.folders[folder] = path


def test_folder(path: str, graph: ImportGraph) -> str | None:
    """The nearest folder above ``path`` that directly holds a test file or conftest.py."""
    holders = {t.rpartition("/")[0] for t in graph.test_files}
    holders |= {p.rpartition("/")[0] for p in graph.modules.values() if p.rsplit("/", 1)[-1] == "conftest.py"}
    folder = path.rpartition("/")[0]
    while True:
        if folder in holders:
            return folder
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


def tests_under(folder: str, graph: ImportGraph) -> list[str]:
    prefix = f"{folder}/" if folder else ""
    return sorted(t for t in graph.test_files if t.startswith(prefix))


def tests_matching(globs: list[str], graph: ImportGraph) -> list[str]:
    spec = _spec(globs)
    return sorted(t for t in graph.test_files if _match(spec, t))
