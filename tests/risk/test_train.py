"""The training pipeline end to end on a generated history with planted bug fixes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from maestro_ci.jobs.risk_features import FEATURES, is_fix
from maestro_ci.jobs.risk_model import load_model
from maestro_ci.sources import git_history, szz
from tests.risk.history import build_history


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("hist") / "repo"
    return path, build_history(path, 240)


def test_szz_finds_the_planted_bug_introducing_commits(planted) -> None:
    path, plan = planted
    commits = git_history.mine(path)
    assert len(commits) == 240
    fixes = [c.sha for c in commits if is_fix(c.message, ["fix"])]
    assert {plan.shas[n] for n in plan.fixes} == set(fixes)
    found = szz.inducing(fixes, path)
    blamed = set().union(*found.values())
    fixed_buggy = {plan.shas[n] for n in plan.buggy} & blamed
    assert fixed_buggy == blamed  # nothing else is blamed
    assert len(blamed) == len(plan.fixes)


def test_train_writes_a_model_and_scores_with_it(cli, planted) -> None:
    path, plan = planted
    out = path / "model.json"
    res = cli("risk", "train", "--out", str(out), "--progress", cwd=path)
    assert res.code == 0, res.err
    assert "mined 240 commits" in res.err and "commits/s" in res.err
    assert "blaming fixes [" in res.err
    model = load_model(out)
    assert model.features == list(FEATURES)
    assert model.window.commits == 240 and model.window.labelled_buggy == len(plan.fixes)
    assert model.metrics.auc is not None and model.metrics.auc > 0.8
    assert model.metrics.brier is not None and model.metrics.brier < 0.2
    assert model.calibration and sum(b.count for b in model.calibration) == model.metrics.test_commits
    # a planted risky commit (many lines) scores above the threshold; a tweak does not
    risky = max(plan.buggy - {240})
    res = cli(
        "risk",
        "--base",
        f"{plan.shas[risky]}~1",
        "--head",
        plan.shas[risky],
        "--model",
        str(out),
        "--format",
        "json",
        "--no-record",
        cwd=path,
    )
    result = json.loads(res.out)
    assert result["details"]["mode"].startswith("model")
    assert result["status"] == "warn" and result["score"] >= model.threshold
    assert result["details"]["model"]["features"][0]["contribution"] > 0
    tweak = next(n for n in range(200, 240) if n not in plan.buggy | plan.fixes)
    res = cli(
        "risk",
        "--base",
        f"{plan.shas[tweak]}~1",
        "--head",
        plan.shas[tweak],
        "--model",
        str(out),
        "--format",
        "markdown",
        "--no-record",
        cwd=path,
    )
    assert "Log-odds terms of the model" in res.out and res.code == 0


def test_train_needs_enough_history(cli, git_repo) -> None:
    git_repo.commit("one", {"a.py": "x = 1\n"})
    res = cli("risk", "train", "--out", "m.json", cwd=git_repo.path)
    assert res.code == 2 and "not enough history" in res.err


def test_train_without_sklearn_says_how_to_install(cli, git_repo, monkeypatch) -> None:
    git_repo.commit("one", {"a.py": "x = 1\n"})
    monkeypatch.setitem(sys.modules, "sklearn", None)
    res = cli("risk", "train", cwd=git_repo.path)
    assert res.code == 2 and "pip install 'maestro-ci[train]'" in res.err


def _model_doc(path: Path) -> dict:
    return json.loads(path.read_text())


def test_bad_model_files_are_exit_2(cli, planted, tmp_path: Path) -> None:
    path, _ = planted
    good = path / "model.json"
    if not good.exists():
        assert cli("risk", "train", "--out", str(good), cwd=path).code == 0
    doc = _model_doc(good)
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**doc, "schema_version": 99}))
    res = cli("risk", "--base", "HEAD~1", "--model", str(newer), "--no-record", cwd=path)
    assert res.code == 2 and "newer than this maestro-ci reads" in res.err
    missing = tmp_path / "missing.json"
    coefs = dict(doc["coefficients"])
    coefs.pop("la")
    missing.write_text(json.dumps({**doc, "coefficients": coefs}))
    res = cli("risk", "--base", "HEAD~1", "--model", str(missing), "--no-record", cwd=path)
    assert res.code == 2 and "lacks coefficients for feature(s) la" in res.err


def test_model_from_config(cli, planted) -> None:
    path, _ = planted
    model = path / "model.json"
    if not model.exists():
        assert cli("risk", "train", "--out", str(model), cwd=path).code == 0
    (path / ".maestro.yml").write_text("version: 1\nrisk:\n  model: model.json\n")
    try:
        res = cli("risk", "--base", "HEAD~2", "--format", "json", "--no-record", cwd=path)
        result = json.loads(res.out)
        assert result["details"]["mode"].startswith("model")
        assert result["threshold"] == load_model(model).threshold
        assert any(i["path"] == "model.json" for i in result["inputs"])
    finally:
        (path / ".maestro.yml").unlink()


def test_mine_since_and_progress(planted) -> None:
    path, _ = planted
    seen: list[tuple[int, int]] = []
    recent = git_history.mine(path, since="2020-09-20", progress=lambda n, t: seen.append((n, t)))
    assert 0 < len(recent) < 240
    assert all(c.time >= recent[0].time for c in recent)
    everything = git_history.mine(path, progress=lambda n, t: seen.append((n, t)))
    assert len(everything) == 240 and (200, 240) in seen


def test_shallow_clone_refuses_model_features(cli, planted, tmp_path: Path) -> None:
    import subprocess

    path, _ = planted
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "5", f"file://{path}", str(clone)], check=True)
    res = cli("risk", "train", cwd=clone)
    assert res.code == 2 and "shallow clone (5 commits)" in res.err and "--unshallow" in res.err
    model = path / "model.json"
    if not model.exists():
        assert cli("risk", "train", "--out", str(model), cwd=path).code == 0
    res = cli("risk", "--base", "HEAD~1", "--model", str(model), "--no-record", cwd=clone)
    assert res.code == 2 and "the model's features need the full history" in res.err
