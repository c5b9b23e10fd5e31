"""Entropy-aware secret scanning, allow comments, the baseline file and its parser."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.secret_scan import looks_random, scan_text, shannon
from maestro_ci.jobs.secrets import Masker
from maestro_ci.sources.secret_baseline import baseline_from, load_baseline, parse_baseline
from tests.secret_corpus import corpus
from tests.secret_samples import rand, samples


def test_corpus_recall_and_precision_per_family() -> None:
    masker = Masker()
    hits: dict[str, list[bool]] = defaultdict(list)
    false_positives = []
    for sample in corpus(per_family=15, negatives_each=8, seed=11):
        found = scan_text(sample.text, sample.name, masker)
        if sample.family:
            hits[sample.family].append(bool(found))
        elif found:
            false_positives.append((sample.name, [f.rule for f in found]))
    for family, flags in hits.items():
        assert sum(flags) / len(flags) >= 0.9, family
    assert len(false_positives) <= 2, false_positives


def test_values_never_appear_in_findings() -> None:
    text = "\n".join(line for line, _ in samples().values())
    for finding in scan_text(text, "x", Masker()):
        for _, secret in samples().values():
            assert secret not in finding.preview
            assert secret not in finding.fingerprint


@pytest.mark.parametrize(
    "token",
    [
        "3f786850e387550fdab836ed7e6dc881de23001b",  # git SHA (hex, one case)
        "123e4567-e89b-12d3-a456-426614174000",
        "getUserAccountSettingsHandler",
        "usr/lib/python3/site-packages/Foo2",
        "Version2ReleaseNotesSummary",
        "short1A",
    ],
)
def test_entropy_ignores_non_secrets(token: str) -> None:
    assert not looks_random(token)


def test_entropy_finds_random_tokens() -> None:
    found = [looks_random(rand(32, seed=s)) for s in range(50)]
    assert sum(found) >= 48
    assert shannon("aaaa") == 0.0


def test_entropy_can_be_switched_off() -> None:
    text = f"client = Client('{rand(40, seed=3)}')\n"
    assert [f.rule for f in scan_text(text, "a.py", Masker())] == ["high-entropy-string"]
    assert scan_text(text, "a.py", Masker(), entropy=False) == []


def test_allow_comments() -> None:
    line, _ = samples()["github-token"]
    text = f"{line}  # maestro: allow-secret\n# maestro: allow-secret\n{line}\n{line}\n"
    found = scan_text(text, "a.env", Masker())
    assert [f.line for f in found] == [4]
    assert [f.line for f in scan_text(text, "a.env", Masker(), only_lines={1, 2, 3})] == []


def test_baseline_roundtrip_and_matching(tmp_path: Path) -> None:
    line, _ = samples()["stripe-key"]
    found = scan_text(f"x\n{line}\n", "cfg.py", Masker())
    baseline = baseline_from(found)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(baseline.model_dump(mode="json")), encoding="utf-8")
    loaded = load_baseline(path)
    moved = scan_text(f"\n\n\n{line}\n", "cfg.py", Masker())
    assert moved[0].line != found[0].line and loaded.accepts(moved[0])
    other = scan_text(f"{line}\n", "other.py", Masker())
    assert not loaded.accepts(other[0])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ('{"schema_version": 9, "findings": []}', "schema_version 9"),
        ('{"findings": [{"file": "a", "rule": "r", "fingerprint": "xyz"}]}', "fingerprint"),
        ('{"findings": [], "extra": 1}', "unknown key 'extra'"),
        ("[1, 2", "invalid YAML"),
    ],
)
def test_bad_baselines_are_named(text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        parse_baseline(text, "b.json")
    assert needle in info.value.message and info.value.file == "b.json"


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=120)
    | st.dictionaries(
        st.sampled_from(["schema_version", "findings", "x"]),
        st.integers()
        | st.text(max_size=5)
        | st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8))),
    ).map(json.dumps)
)
def test_random_baselines_never_crash(text: str) -> None:
    try:
        parse_baseline(text, "b.json")
    except InputError as exc:
        assert exc.message


def test_secrets_scan_cli_baseline_flow(cli, tmp_path: Path) -> None:
    line, secret = samples()["aws-access-key-id"]
    (tmp_path / "cfg.env").write_text(f"{line}\nNAME=app\n", encoding="utf-8")
    res = cli("secrets", "scan", "cfg.env", "--no-record", cwd=tmp_path)
    assert res.code == 1 and "cfg.env:1: aws-access-key-id" in res.out and secret not in res.out
    res = cli(
        "secrets",
        "scan",
        "cfg.env",
        "--update-baseline",
        "--baseline",
        "bl.json",
        "--no-record",
        cwd=tmp_path,
    )
    assert res.code == 0 and "1 finding(s) written" in res.err
    assert secret not in (tmp_path / "bl.json").read_text()
    res = cli(
        "secrets", "scan", "cfg.env", "--baseline", "bl.json", "--no-record", "--format", "json", cwd=tmp_path
    )
    assert res.code == 0 and json.loads(res.out)["metrics"]["accepted"] == 1
    (tmp_path / "bl.json").write_text("{}", encoding="utf-8")
    res = cli("secrets", "scan", "cfg.env", "--baseline", "bl.json", "--no-record", cwd=tmp_path)
    assert res.code == 1
    res = cli("secrets", "scan", "cfg.env", "--baseline", "missing.json", "--no-record", cwd=tmp_path)
    assert res.code == 2 and "secrets baseline not found" in res.err


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_scanning_random_text_never_crashes(text: str) -> None:
    for finding in scan_text(text, "r.txt", Masker()):
        assert 1 <= finding.line <= text.count("\n") + 1
        assert finding.column >= 1
