"""Gather everything the affected job needs (shared by the CLI and the pytest plugin)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maestro_ci.frontend import Invocation
    from maestro_ci.jobs.affected import AffectedInput
    from maestro_ci.sections.affected import AffectedSection
    from maestro_ci.sources.coverage_map import CoverageMap


def gather(args: argparse.Namespace, inv: Invocation) -> AffectedInput:
    settings = inv.settings
    return collect(
        settings.base_dir,
        settings.config.selection,
        inv.env,
        base=args.base,
        head=args.head,
        mode=args.mode,
        map_file=args.map,
        observe=args.observe,
        use_cache=not args.no_cache,
    )


def collect(
    root: Path,
    cfg: AffectedSection,
    env: Mapping[str, str],
    *,
    base: str | None = None,
    head: str | None = None,
    mode: str | None = None,
    map_file: str | None = None,
    observe: bool = False,
    use_cache: bool = True,
) -> AffectedInput:
    from maestro_ci.context import change_set, resolve_range, run_all_requested
    from maestro_ci.jobs.affected import AffectedInput
    from maestro_ci.sources import git
    from maestro_ci.sources.importgraph import build_graph
    from maestro_ci.sources.pytest_config import read_pytest_config

    rng = resolve_range(root, base, head, env)
    change = change_set(root, rng)
    override = run_all_requested(root, rng.head, env, cfg.run_all_label)
    ref = None if rng.head in (git.WORKTREE, git.INDEX) else change.head_sha
    graph = build_graph(
        root,
        ref=ref,
        test_patterns=cfg.test_patterns,
        extra_roots=cfg.extra_roots,
        exclude=cfg.exclude,
        cache=cfg.cache and use_cache,
    )
    pyconf = read_pytest_config(root)
    chosen = mode or cfg.mode
    cmap, note = _load_map(root, chosen, map_file or cfg.coverage_map)
    py_changed = [c.path for c in change.files if c.path.endswith(".py") and c.kind == "modified"]
    base_blobs: dict[str, str] = {}
    base_sources: dict[str, str] = {}
    old_lines: dict[str, set[int]] = {}
    stale: frozenset[str] = frozenset()
    if cmap is not None:
        stale = _stale(root, change.base_sha, cmap, graph.test_files)
    if cmap is not None and py_changed:
        from maestro_ci.sources.diff_lines import old_side_lines

        base_blobs = _blobs_at(root, change.base_sha, py_changed)
        for path in py_changed:
            base_sources[path] = git.show_file(change.base_sha, path, root) or ""
        old_lines = old_side_lines(change.base_sha, change.head_sha, root, py_changed)
    return AffectedInput(
        change=change,
        graph=graph,
        settings=cfg,
        mode=chosen,
        range=rng.as_dict(),
        override=override,
        config_selection_changed=_selection_changed(root, change.base_sha, rng.head),
        plugins=pyconf.plugins,
        doctests=cfg.doctests if cfg.doctests is not None else pyconf.doctest_modules,
        cmap=cmap,
        map_note=note,
        base_blobs=base_blobs,
        base_sources=base_sources,
        old_lines=old_lines,
        observe=observe,
        stale=stale,
    )


def _load_map(root: Path, mode: str, name: str) -> tuple[CoverageMap | None, str]:
    from maestro_ci.errors import InputError
    from maestro_ci.sources.coverage_map import load_map, repository_id

    if mode == "static":
        return None, ""
    path = Path(name) if Path(name).is_absolute() else root / name
    try:
        cmap = load_map(path)
        if cmap.repository != repository_id(root):
            raise InputError(
                "the coverage map belongs to another repository",
                file=str(path),
                fix="record the map in this repository (or delete it)",
            )
    except InputError as exc:
        if mode == "precise":
            raise
        return None, f"{exc.message}: static mode everywhere"
    return cmap, f"{name} recorded at {cmap.commit[:12]} ({len(cmap.tests)} tests)"


def _stale(root: Path, base: str, cmap: CoverageMap, tests: frozenset[str]) -> frozenset[str]:
    """Python files whose content at the base differs from what the map saw, and test files it never saw."""
    from maestro_ci.sources import git

    out = git.run_git(["ls-tree", "-r", "-z", base], root)
    stale: set[str] = set()
    for entry in out.split("\0"):
        if not entry or not entry.endswith(".py"):
            continue
        meta, path = entry.split("\t", 1)
        seen = cmap.files.get(path)
        if (seen is not None and seen.blob != meta.split()[2]) or (seen is None and path in tests):
            stale.add(path)
    return frozenset(stale)


def _blobs_at(root: Path, commit: str, paths: list[str]) -> dict[str, str]:
    from maestro_ci.sources import git

    out = git.run_git(["ls-tree", "-z", commit, "--", *paths], root)
    blobs: dict[str, str] = {}
    for entry in out.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            blobs[path] = meta.split()[2]
    return blobs


def _selection_changed(root: Path, base: str, head: str) -> bool | None:
    """Did the selection: section of .maestro.yml change? None when it cannot be told."""
    import yaml

    from maestro_ci.sources import git

    def section(text: str | None) -> Any:
        if text is None:
            return None
        data = yaml.safe_load(text)
        return data.get("selection") if isinstance(data, dict) else data

    try:
        before = git.show_file(base, ".maestro.yml", root)
        if head in (git.WORKTREE, git.INDEX):
            path = root / ".maestro.yml"
            after = path.read_text(encoding="utf-8") if path.exists() else None
        else:
            after = git.show_file(head, ".maestro.yml", root)
        return bool(section(before) != section(after))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None
