"""``maestro-ci policy``: check a change against the policy rules, with reasons and fixes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.policy import PolicyInputs

DESCRIPTION = (
    "Check a change against policy/rules.yaml: protected paths, code owners, dependency licences, "
    "pinned requirements, model budgets, forbidden content, secrets and size. Every finding says why "
    "and how to fix it. Exit 1 only when an 'enforce' rule denies."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci policy --base origin/main --sarif policy.sarif\n"
    "  maestro-ci policy --staged          # the pre-commit hook\n"
    "  MAESTRO_OVERRIDE='deny-infra: approved in INC-42' maestro-ci policy --base main"
)
FORMATS = ("sarif",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REF", help="compare against REF (default: see docs/policy.md)")
    parser.add_argument("--head", metavar="REF", help="the change's head (default: HEAD)")
    parser.add_argument("--staged", action="store_true", help="check the staged changes against HEAD")
    parser.add_argument("--rules", metavar="FILE", help="rules file (default: policy.rules in config)")
    parser.add_argument("--usage", metavar="FILE", help="model usage records, JSON or JSONL")
    parser.add_argument("--sarif", metavar="FILE", help="also write SARIF 2.1.0 to FILE")


def _path(root: Path, name: str) -> Path:
    return Path(name) if Path(name).is_absolute() else root / name


def gather(args: argparse.Namespace, inv: Invocation) -> PolicyInputs:
    from maestro_ci.context import resolve_range
    from maestro_ci.errors import InputError, UsageError
    from maestro_ci.jobs.policy import PolicyInputs
    from maestro_ci.jobs.policy_deps import is_dependency_file
    from maestro_ci.jobs.policy_model import Mode, load_policy
    from maestro_ci.models import ChangeKind, InputFile
    from maestro_ci.sources import git
    from maestro_ci.sources.policy_inputs import BlobReader, has_commit, initial_change_set
    from maestro_ci.sources.store import sha256_file

    settings = inv.settings
    cfg = settings.config.policy
    root = settings.base_dir
    rules_path = _path(root, args.rules or cfg.rules)
    if not rules_path.exists():
        raise InputError(
            "policy rules file not found",
            file=str(rules_path),
            fix="write policy/rules.yaml (see docs/policy.md), or pass --rules FILE",
        )
    policy = load_policy(rules_path)
    assert policy.source is not None
    if policy.source.deps.unknown is None:
        for rule in policy.of_kind("deps-unknown"):
            rule.mode = Mode(cfg.unknown_licence)
    inputs = [InputFile(path=_shown(rules_path, root), sha256=sha256_file(rules_path))]
    notes: list[str] = []
    if args.staged:
        if args.base or args.head:
            raise UsageError("--staged compares the index with HEAD", fix="drop --base/--head, or --staged")
        base, head = "HEAD", git.INDEX
        notes.append("staged changes compared with HEAD (--staged)")
    else:
        rng = resolve_range(root, args.base, args.head, inv.env)
        base, head = rng.base, rng.head
        notes.append(f"range {rng.base}..{rng.head}: {rng.reason}")
    first_commit = args.staged and not has_commit(root)
    changes = initial_change_set(root) if first_commit else git.change_set(base, head, root)
    kept = [f.path for f in changes.files if f.kind is not ChangeKind.DELETED]
    reader = BlobReader(root, head if head in (git.INDEX, git.WORKTREE) else changes.head_sha, kept)
    added: dict[str, set[int]] = {}
    if policy.of_kind("content", "secrets") and first_commit:
        added = {p: set(range(1, (reader(p) or b"").count(b"\n") + 2)) for p in kept}
    elif policy.of_kind("content", "secrets"):
        added = {k: v.new for k, v in git.changed_lines(base, head, root).items()}
    extra: dict[str, Any] = {}
    if policy.of_kind("owners"):
        from maestro_ci.sources import codeowners

        extra["owners"] = codeowners.load(root)
        extra["missing_codeowners"] = Mode(cfg.missing_codeowners)
        wanted = {o for rule in policy.of_kind("owners") for o in getattr(rule.rule, "review_by", [])}
        if wanted:
            from maestro_ci.commands.policy_approvals import read_approvals

            extra["approvals"], extra["approvals_note"] = read_approvals(inv.env, wanted)
            notes.append(extra["approvals_note"])
    deps_rules = policy.of_kind("deps-deny", "deps-allow")
    if deps_rules:
        changed_deps = [p for p in kept if is_dependency_file(p)]
        if policy.source.deps.when == "always" or changed_deps:
            from maestro_ci.sources.licences import requirement_names, resolve
            from maestro_ci.sources.policy_inputs import declared_requirements

            lines, read = declared_requirements(root)
            extra["packages"] = resolve(requirement_names(lines))
            notes.append(
                f"licences of {len(extra['packages'])} package(s) declared in {', '.join(read) or 'nothing'}"
            )
        else:
            notes.append("dependency rules skipped: no dependency file changed")
    if policy.of_kind("deps-pinned"):
        texts = {}
        for path in kept:
            data = reader(path) if policy.by_id["deps-pinned"].matches(path) else None
            if data is not None:
                texts[path] = data.decode("utf-8", "replace")
        extra["requirement_texts"] = texts
    if policy.of_kind("budget"):
        usage_path = _path(root, args.usage or cfg.usage_file)
        if usage_path.exists() or args.usage:
            from maestro_ci.sources.usage import load_usage

            extra["usage"] = load_usage(usage_path)
            inputs.append(InputFile(path=_shown(usage_path, root), sha256=sha256_file(usage_path)))
        else:
            notes.append(f"no usage file at {_shown(usage_path, root)}: budgets count no model usage")
    secrets_rules = policy.of_kind("secrets")
    if secrets_rules:
        from maestro_ci.sources.secret_baseline import load_baseline

        extra["masker"] = settings.masker
        baseline_path = _path(root, secrets_rules[0].rule.baseline or cfg.secrets_baseline)
        if baseline_path.exists():
            extra["baseline"] = load_baseline(baseline_path)
            inputs.append(InputFile(path=_shown(baseline_path, root), sha256=sha256_file(baseline_path)))
    extra["overrides"] = _overrides(inv, cfg.override_label_prefix, list(policy.by_id))
    return PolicyInputs(
        policy=policy,
        changes=changes,
        read=reader,
        size_of=reader.size,
        added_lines=added,
        inputs=inputs,
        notes=notes,
        **extra,
    )


def _overrides(inv: Invocation, prefix: str, known: list[str]) -> list[Any]:
    from maestro_ci.gha import GitHubActions
    from maestro_ci.jobs.policy_overrides import from_env, from_labels

    known = [*known, "codeowners-missing"]
    requests = []
    if inv.env.get("MAESTRO_OVERRIDE", "").strip():
        who = inv.env.get("GITHUB_ACTOR") or inv.env.get("USER") or inv.env.get("LOGNAME") or _git_user(inv)
        requests += from_env(inv.env["MAESTRO_OVERRIDE"], f"MAESTRO_OVERRIDE (set by {who})", known)
    gha = GitHubActions(inv.env)
    labels = gha.pull_request_labels()
    if labels:
        body = str(gha.pull_request().get("body") or "")
        requests += from_labels(labels, prefix, body, known)
    return requests


def _git_user(inv: Invocation) -> str:
    from maestro_ci.sources.git import run_git

    return run_git(["config", "user.name"], inv.settings.base_dir, check=False).strip() or "unknown user"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.policy import evaluate
    from maestro_ci.render.sarif import render_sarif

    result = evaluate(gather(args, inv))
    sarif_file = args.sarif or inv.settings.config.policy.sarif
    if sarif_file:
        from maestro_ci.sources.store import atomic_write_text

        atomic_write_text(_path(inv.cwd, sarif_file), inv.mask(render_sarif(result)))
    return inv.emit(result, {"sarif": render_sarif})
