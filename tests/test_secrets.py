from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.secrets import DEFAULT_REPLACEMENT, Masker, StreamMasker, build_masker, preview
from tests.secret_samples import rand, samples


@pytest.mark.parametrize("rule", sorted(samples()))
def test_every_default_rule_masks_its_family(rule: str) -> None:
    line, secret = samples()[rule]
    masked = Masker().mask(line)
    assert secret not in masked
    assert DEFAULT_REPLACEMENT in masked


def test_context_around_the_secret_stays_readable() -> None:
    line, _ = samples()["password-assignment"]
    assert Masker().mask(line) == f'password = "{DEFAULT_REPLACEMENT}"'
    line, _ = samples()["url-credentials"]
    assert Masker().mask(line).startswith("DATABASE_URL=postgres://app:***MASKED***@db.internal")


@pytest.mark.parametrize(
    "text",
    [
        "nothing to see here",
        "version = 1.2.3",
        "password = ${DB_PASSWORD}",
        "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    ],
)
def test_harmless_text_is_untouched(text: str) -> None:
    assert Masker().mask(text) == text


def test_masking_is_idempotent() -> None:
    text = "\n".join(line for line, _ in samples().values())
    once = Masker().mask(text)
    assert Masker().mask(once) == once


def test_extra_patterns_and_replacement() -> None:
    masker = build_masker(["internal-[0-9a-f]{8}"], "[hidden]")
    assert masker.mask("id internal-deadbeef ok") == "id [hidden] ok"


def test_invalid_extra_pattern_is_named() -> None:
    with pytest.raises(InputError) as info:
        build_masker(["ok", "bad(["], origin="MAESTRO_MASK_REGEXES")
    assert "bad([" in info.value.message
    assert info.value.place == "pattern 2"


def test_findings_have_lines_and_never_the_value() -> None:
    text = "\n".join(line for line, _ in samples().values())
    found = Masker().findings(text, "cfg.env")
    rules = {f.rule for f in found}
    assert set(samples()) <= rules
    for finding in found:
        assert finding.file == "cfg.env"
        assert finding.line >= 1
        for _, secret in samples().values():
            assert secret not in finding.preview


def test_preview_hides_short_values_entirely() -> None:
    assert preview("abc") == "…(3 chars)"
    assert preview("abcdefghijklmnop") == "ab…(16 chars)"


def test_stream_masker_masks_a_private_key_across_lines() -> None:
    line, body = samples()["private-key"]
    text = f"before\n{line}\nafter token: {rand(20)}\n"
    out = "".join(StreamMasker(Masker(), batch_bytes=8).feed(io.StringIO(text)))
    assert body not in out
    assert out.startswith("before\n")
    assert "after" in out
    assert "PRIVATE KEY" not in out.split("after")[1]


def test_stream_masker_handles_one_line_keys_and_batches() -> None:
    lines = [f"line {i} password={rand(10, seed=i)}\n" for i in range(100)]
    out = "".join(StreamMasker(Masker(), batch_bytes=64).feed(lines))
    assert out.count(DEFAULT_REPLACEMENT) == 100


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_mask_never_crashes_and_is_idempotent(text: str) -> None:
    masker = Masker()
    once = masker.mask(text)
    assert masker.mask(once) == once


def test_secrets_scan_cli(cli, tmp_path) -> None:
    for i, (line, _) in enumerate(samples().values()):
        (tmp_path / f"f{i}.txt").write_text(f"x\n{line}\n", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01AKIA")
    res = cli("secrets", "scan", str(tmp_path), "--no-record")
    assert res.code == 1
    assert ":2: " in res.out
    for _, secret in samples().values():
        assert secret not in res.out
        assert secret not in res.err


def test_secrets_scan_clean_and_missing(cli, tmp_path) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    assert cli("secrets", "scan", str(tmp_path / "ok.py"), "--no-record").code == 0
    res = cli("secrets", "scan", str(tmp_path / "nope.py"), "--no-record")
    assert res.code == 2
    assert "file not found" in res.err


def test_mask_command_streams(cli) -> None:
    line, secret = samples()["github-token"]
    res = cli("mask", stdin=f"hello\n{line}\n")
    assert res.code == 0
    assert secret not in res.out
    assert res.out.startswith("hello\n")


def test_mask_command_env_patterns(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAESTRO_MASK_REGEXES", "foo-[0-9]+,bar-[a-z]+")
    monkeypatch.setenv("MAESTRO_MASK_REPLACEMENT", "<x>")
    res = cli("mask", "--literal", "plainvalue", stdin="foo-123 bar-abc plainvalue\n")
    assert res.out == "<x> <x> <x>\n"


def test_mask_command_bad_env_pattern(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAESTRO_MASK_REGEXES", "(unclosed")
    res = cli("mask", stdin="x\n")
    assert res.code == 2
    assert "(unclosed" in res.err
