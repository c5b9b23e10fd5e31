"""Feed secrets into every output path and assert none comes out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.secret_samples import samples


def _all_secrets() -> list[str]:
    return [secret for _, secret in samples(seed=99).values()]


def test_secrets_never_leave_through_any_output(
    cli, tmp_path: Path, git_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "\n".join(line for line, _ in samples(seed=99).values())
    git_repo.commit("add config", {"settings.env": lines + "\n"})
    gh = tmp_path / "gh"
    gh.mkdir()
    event = gh / "event.json"
    event.write_text(json.dumps({}))
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(gh / "output"),
        "GITHUB_STEP_SUMMARY": str(gh / "summary.md"),
        "GITHUB_EVENT_PATH": str(event),
        "MAESTRO_RUN_ID": "leak-test",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # the secrets also appear in a file name and in an error message path
    res = cli(
        "secrets",
        "scan",
        "settings.env",
        "--format",
        "markdown",
        "--output",
        str(gh / "out.md"),
        cwd=git_repo.path,
    )
    assert res.code == 1
    res2 = cli("secrets", "scan", "settings.env", "--format", "json", cwd=git_repo.path)
    res3 = cli("mask", stdin=lines)
    res4 = cli("secrets", "scan", f"missing-{_all_secrets()[0]}.txt", cwd=git_repo.path)
    assert res4.code == 2
    produced = [res.out, res.err, res2.out, res2.err, res3.out, res4.err]
    for path in [*gh.iterdir(), *(git_repo.path / ".maestro" / "runs" / "leak-test").iterdir()]:
        produced.append(path.read_text(encoding="utf-8"))
    assert (gh / "summary.md").read_text()
    everything = "\n".join(produced)
    for secret in _all_secrets():
        assert secret not in everything, f"a secret of {len(secret)} chars leaked"
