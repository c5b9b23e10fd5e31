"""``maestro-ci risk train``: mine the history, label it with SZZ, fit and write the model."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from maestro_ci.errors import UsageError
from maestro_ci.frontend import Invocation


class Progress:
    """A one-line progress bar on stderr (masked), only on a terminal or with --progress."""

    def __init__(self, inv: Invocation, enabled: bool) -> None:
        self.inv = inv
        self.enabled = enabled
        self.shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            self.inv.stderr.write("\r" + self.inv.mask(text)[:100].ljust(60))
            self.inv.stderr.flush()
            self.shown = True

    def bar(self, label: str, done: int, total: int) -> None:
        width = 24
        filled = int(width * done / total) if total else width
        self.show(f"{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")

    def end(self) -> None:
        if self.shown:
            self.inv.stderr.write("\n")


def run_train(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.risk_features import FEATURES, feature_rows, is_fix
    from maestro_ci.jobs.risk_train import is_large, labels, sklearn_or_explain, train
    from maestro_ci.sources import git, git_history, szz
    from maestro_ci.sources.store import atomic_write_text, dump_json

    if not 0 < args.flag_share <= 1:
        raise UsageError("--flag-share must be in (0, 1]", fix="for example --flag-share 0.2")
    sklearn_or_explain()
    section = inv.settings.config.risk
    root = inv.settings.base_dir
    head = git.resolve_commit(args.train_head, root)
    git_history.require_full_history(root, "mining for 'risk train'")
    isatty = getattr(inv.stderr, "isatty", lambda: False)()
    progress = Progress(inv, bool(args.progress or isatty))
    started = time.perf_counter()
    commits = git_history.mine(root, head, args.since, lambda n, t: progress.bar("mining", n, t))
    progress.end()
    mined = time.perf_counter() - started
    commits = [c for c in commits if c.files or c.is_merge]
    fixes = [c.sha for c in commits if not is_large(c) and is_fix(c.message, section.fix_keywords)]
    inducing = szz.inducing(fixes, root, lambda d, t: progress.bar("blaming fixes", d, t))
    progress.end()
    y = labels(commits, inducing)
    rows = feature_rows(commits, section.fix_keywords)
    model = train(commits, rows, y, FEATURES, len(fixes), flag_share=args.flag_share)
    elapsed = time.perf_counter() - started
    out = Path(args.out) if Path(args.out).is_absolute() else root / args.out
    atomic_write_text(out, inv.mask(dump_json(model.model_dump(mode="json"))))
    m = model.metrics
    auc = "n/a" if m.auc is None else f"{m.auc:.3f}"
    brier = "n/a" if m.brier is None else f"{m.brier:.3f}"
    rate = len(commits) / mined if mined > 0 else float("inf")
    inv.info(
        f"mined {len(commits)} commits in {mined:.1f} s ({rate:.0f} commits/s); {len(fixes)} fixes; "
        f"{sum(y)} commits blamed; total {elapsed:.1f} s "
        f"({len(commits) / elapsed if elapsed > 0 else 0:.0f} commits/s overall)"
    )
    inv.write(
        f"risk model written to {out}\n"
        f"  window {model.window.first} .. {model.window.last}, {model.window.commits} commits, "
        f"{model.window.labelled_buggy} bug-introducing\n"
        f"  hold-out (newest {m.test_commits} commits): AUC {auc}, Brier {brier}"
        + (f" (lines added alone: AUC {m.auc_lines_added:.3f})" if m.auc_lines_added is not None else "")
        + "\n"
        f"  threshold {model.threshold:.3f} flags the riskiest {model.flag_share:.0%}\n"
    )
    return 0
