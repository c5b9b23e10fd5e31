from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.models import ChangeKind
from maestro_ci.sources import git
from maestro_ci.sources.git_state import read_git_state, strip_credentials
from tests.conftest import GitRepo, make_repo


def _history(repo: GitRepo) -> tuple[str, str]:
    base = repo.commit(
        "base",
        {
            "pkg/a.py": "a = 1\n" * 10,
            "pkg/old_name.py": "def f():\n    return 1\n" * 5,
            "gone.txt": "bye\n",
            "img.bin": b"\x00\x01\x02",
        },
    )
    (repo.path / "gone.txt").unlink()
    repo.git("mv", "pkg/old_name.py", "pkg/new_name.py")
    head = repo.commit(
        "change",
        {
            "pkg/a.py": "a = 2\n" + "a = 1\n" * 9,
            "pkg/added.py": "x = 1\ny = 2\n",
            "img.bin": b"\x00\x09",
        },
    )
    return base, head


def test_change_set_kinds_counts_renames_and_binaries(git_repo: GitRepo) -> None:
    base, head = _history(git_repo)
    cs = git.change_set(base, head, git_repo.path)
    by_path = {f.path: f for f in cs.files}
    assert by_path["pkg/a.py"].kind is ChangeKind.MODIFIED
    assert (by_path["pkg/a.py"].added, by_path["pkg/a.py"].deleted) == (1, 1)
    assert by_path["pkg/added.py"].kind is ChangeKind.ADDED
    assert by_path["pkg/added.py"].added == 2
    assert by_path["gone.txt"].kind is ChangeKind.DELETED
    assert by_path["pkg/new_name.py"].kind is ChangeKind.RENAMED
    assert by_path["pkg/new_name.py"].old_path == "pkg/old_name.py"
    assert by_path["img.bin"].binary
    assert cs.paths == sorted(cs.paths)
    assert cs.lines_changed == sum(f.added + f.deleted for f in cs.files)


def test_change_set_against_index_and_worktree(git_repo: GitRepo) -> None:
    git_repo.commit("one", {"a.py": "a = 1\n"})
    git_repo.write("a.py", "a = 2\n")
    assert git.change_set("HEAD", git.WORKTREE, git_repo.path).paths == ["a.py"]
    assert git.change_set("HEAD", git.INDEX, git_repo.path).paths == []
    git_repo.git("add", "a.py")
    assert git.change_set("HEAD", git.INDEX, git_repo.path).paths == ["a.py"]


def test_changed_lines(git_repo: GitRepo) -> None:
    base = git_repo.commit("b", {"m.py": "".join(f"l{i}\n" for i in range(1, 11))})
    head = git_repo.commit(
        "h", {"m.py": "".join(f"l{i}\n" if i != 4 else "X\n" for i in range(1, 11)) + "new\n"}
    )
    hunks = git.changed_lines(base, head, git_repo.path)
    assert hunks["m.py"].new == {4, 11}
    assert hunks["m.py"].old == {4}


def test_missing_ref_says_how_to_fetch(git_repo: GitRepo) -> None:
    git_repo.commit("one")
    with pytest.raises(InputError) as info:
        git.resolve_commit("origin/nope", git_repo.path)
    assert "does not exist" in info.value.message
    assert "git fetch" in (info.value.fix or "")


def test_shallow_clone_without_base_names_fetch_depth(tmp_path: Path, git_repo: GitRepo) -> None:
    first = git_repo.commit("one", {"a": "1"})
    git_repo.commit("two", {"a": "2"})
    git_repo.commit("three", {"a": "3"})
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo.path}", str(clone)], check=True)
    with pytest.raises(InputError) as info:
        git.change_set(first, "HEAD", clone)
    assert "shallow" in info.value.message
    assert "fetch-depth: 0" in (info.value.fix or "")


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository"):
        git.run_git(["status"], tmp_path)
    assert git.repo_root(tmp_path) is None


def test_merge_base_and_default_branch(git_repo: GitRepo) -> None:
    root = git_repo.commit("root", {"a": "1"})
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("feat", {"b": "1"})
    assert git.default_branch(git_repo.path) == "main"
    assert git.merge_base("main", "HEAD", git_repo.path) == root


def test_show_file_and_tracked(git_repo: GitRepo) -> None:
    sha = git_repo.commit("one", {"d/x.py": "x = 1\n"})
    assert git.show_file(sha, "d/x.py", git_repo.path) == "x = 1\n"
    assert git.show_file(sha, "d/none.py", git_repo.path) is None
    assert git.tracked_files(git_repo.path) == ["d/x.py"]
    assert set(git.blob_ids(git_repo.path)) == {"d/x.py"}


def test_git_state_in_and_out_of_a_repository(tmp_path: Path, git_repo: GitRepo) -> None:
    outside = read_git_state(tmp_path / "..")
    assert not outside.in_repository or outside.root != str(git_repo.path)
    empty = read_git_state(git_repo.path)
    assert empty.in_repository and empty.commit is None
    for i in range(4):
        git_repo.commit(f"c{i}", {"f": str(i)})
    git_repo.git("remote", "add", "origin", "https://user:secret-token@example.invalid/o/r.git")
    git_repo.write("f", "dirty")
    state = read_git_state(git_repo.path)
    assert state.branch == "main" and not state.detached
    assert state.dirty and state.status == [" M f"]
    assert [c.subject for c in state.last_commits] == ["c3", "c2", "c1"]
    assert state.remote_url == "https://example.invalid/o/r.git"
    git_repo.git("checkout", "-q", "--", "f")
    git_repo.git("checkout", "-q", "--detach", "HEAD~1")
    detached = read_git_state(git_repo.path)
    assert detached.detached and detached.detached_description
    assert detached.detached_description.startswith("HEAD detached at ")


def test_git_state_cli(cli, tmp_path: Path) -> None:
    res = cli("git-state", "-C", str(tmp_path))
    assert res.code == 0
    assert "not inside a git repository" in res.out
    repo = make_repo(tmp_path / "r")
    repo.commit("first commit", {"a": "1"})
    res = cli("git-state", "-C", str(repo.path), "--format", "json")
    assert '"branch": "main"' in res.out
    res = cli("git-state", "-C", str(repo.path), "--format", "markdown")
    assert "| commit |" in res.out
    assert "first commit" in cli("git-state", "-C", str(repo.path)).out


def test_strip_credentials() -> None:
    assert strip_credentials("https://x:y@h/p") == "https://h/p"
    assert strip_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"
