from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.sources import codeowners

TEXT = """\
# comment
*                 @org/everyone
*.js              @js-owner
/build/logs/      @doctocat
docs/*            docs@example.com
apps/             @octocat
/scripts/         @doctocat @octocat
**/logs           @logs
/apps/github
\\#hash.txt       @hash
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@org/everyone",)),
        ("src/a/b.js", ("@js-owner",)),
        ("build/logs/x.log", ("@logs",)),  # later **/logs wins over /build/logs/
        ("build/logs/deep/x.txt", ("@logs",)),
        ("docs/getting-started.md", ("docs@example.com",)),
        ("docs/build-app/troubleshooting.md", ("@org/everyone",)),  # docs/* is direct children only
        ("apps/x.py", ("@octocat",)),
        ("nested/apps/x.py", ("@octocat",)),
        ("apps/github/x.py", ()),  # a pattern with no owners clears ownership
        ("scripts/run.sh", ("@doctocat", "@octocat")),
        ("deep/logs/a", ("@logs",)),
        ("#hash.txt", ("@hash",)),
    ],
)
def test_github_semantics(path: str, owners: tuple[str, ...]) -> None:
    co = codeowners.parse(TEXT, ".github/CODEOWNERS")
    assert co.owners_of(path) == owners


def test_last_match_wins_and_line_numbers() -> None:
    co = codeowners.parse("*.py @a\nsrc/ @b\n", "CODEOWNERS")
    rule = co.rule_for("src/x.py")
    assert rule is not None and rule.owners == ("@b",) and rule.line == 2


def test_location_order(tmp_path: Path) -> None:
    assert codeowners.load(tmp_path) is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    loaded = codeowners.load(tmp_path)
    assert loaded is not None and loaded.file == "CODEOWNERS"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @gh\n")
    loaded = codeowners.load(tmp_path)
    assert loaded is not None and loaded.owners_of("x") == ("@gh",)


@pytest.mark.parametrize("line", ["!foo @a", "[ab].py @a", "*.py notanowner"])
def test_unsupported_syntax_is_named(line: str) -> None:
    with pytest.raises(InputError) as info:
        codeowners.parse(f"# x\n{line}\n", "CODEOWNERS")
    assert info.value.place == "line 2"


@given(st.text(max_size=200))
def test_random_text_parses_or_explains(text: str) -> None:
    try:
        co = codeowners.parse(text, "CODEOWNERS")
    except InputError as exc:
        assert exc.place and exc.place.startswith("line ")
    else:
        co.owners_of("a/b/c.py")
