"""Usage files, SPDX expression handling, licences of real installed packages, pinned requirements."""

from __future__ import annotations

import importlib.metadata as md
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.policy_deps import is_dependency_file, licence_findings, pinned_findings
from maestro_ci.jobs.policy_model import load_policy
from maestro_ci.sources.licences import PackageLicence, is_spdx, licence_of, requirement_names, resolve
from maestro_ci.sources.usage import load_usage, parse_usage


def test_jsonl_and_json_usage() -> None:
    text = (
        '{"model": "m", "input_tokens": 10, "usd": 0.5}\n\n{"model": "m", "prompt_tokens": 5, "calls": 3}\n'
    )
    records = parse_usage(text, "u.jsonl")
    assert [r.prompt_tokens for r in records] == [10, 5]
    assert records[0].cost_usd == 0.5 and records[1].calls == 3
    as_json = json.dumps({"records": [{"model": "m", "cost": 1.25, "timestamp": "t"}]})
    assert parse_usage(as_json, "u.json")[0].cost_usd == 1.25
    assert parse_usage(json.dumps({"model": "m"}), "u.json")[0].calls == 1
    assert parse_usage("  \n", "u.json") == []


@pytest.mark.parametrize(
    ("text", "needle", "place"),
    [
        ('{"model": "m"}\n{"model": "m", "prompt_tokens": -1}\n', "record 2: 'prompt_tokens'", "line 2"),
        ('{"model": "m"}\nnot json\n', "record 2 is not valid JSON", "line 2"),
        ('[{"model": "m"}, 3]', "record 2 is int", "record 2"),
        ('[{"prompt_tokens": 1}]', "record 1: 'model'", "record 1"),
        ('[{"model": "m", "cost_usd": true}]', "record 1: 'cost_usd'", "record 1"),
        ("[1, 2", "invalid JSON", "line 1"),
        ('"text"', "expected an object", "line 1"),
        ('{"records": 3}', "record 1: 'model'", "record 1"),
    ],
)
def test_bad_usage_records_are_numbered(text: str, needle: str, place: str | None) -> None:
    with pytest.raises(InputError) as info:
        parse_usage(text, "usage.jsonl")
    assert needle in info.value.message
    assert info.value.place == place


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=200)
    | st.lists(st.dictionaries(st.text(max_size=12), st.integers() | st.text(max_size=5) | st.floats())).map(
        json.dumps
    )
)
def test_random_usage_text_never_crashes(text: str) -> None:
    try:
        parse_usage(text, "usage.jsonl")
    except InputError as exc:
        assert exc.message and exc.file == "usage.jsonl"


def test_load_usage_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="usage file not found"):
        load_usage(tmp_path / "nope.jsonl")


def _policy(tmp_path: Path, text: str):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def _judge(tmp_path: Path, rules: str, *expressions: str | None) -> list[str]:
    pol = _policy(tmp_path, rules)
    packages = [PackageLicence(f"p{i}", "1.0", e, "test", e or "") for i, e in enumerate(expressions)]
    unknown = pol.of_kind("deps-unknown")
    found = licence_findings(pol.of_kind("deps-deny"), pol.of_kind("deps-allow"), unknown[0], packages)
    return [f"{f.rule}:{f.message.split(':')[0]}" for f in found]


DENY_GPL = "deps:\n  deny:\n    - pattern: 'GPL-*'\n      id: no-gpl\n"


def test_spdx_or_passes_when_one_branch_is_allowed(tmp_path: Path) -> None:
    assert _judge(tmp_path, DENY_GPL, "MIT OR GPL-3.0-only", "Apache-2.0") == []


def test_spdx_and_needs_both(tmp_path: Path) -> None:
    assert _judge(tmp_path, DENY_GPL, "MIT AND GPL-3.0-only") == ["no-gpl:p0 1.0"]
    assert _judge(tmp_path, DENY_GPL, "(MIT OR GPL-2.0-only) AND GPL-3.0-or-later") == ["no-gpl:p0 1.0"]
    assert _judge(tmp_path, DENY_GPL, "GPL-2.0-only WITH Classpath-exception-2.0") == ["no-gpl:p0 1.0"]


def test_allow_list_and_unknown(tmp_path: Path) -> None:
    rules = "deps:\n  allow:\n    - pattern: MIT\n    - pattern: '/^BSD-/'\n  unknown: enforce\n"
    assert _judge(tmp_path, rules, "MIT", "BSD-3-Clause OR Apache-2.0", "Apache-2.0", None) == [
        "deps-allow-mit:p2 1.0",
        "deps-unknown-licence:p3 1.0",
    ]
    assert _policy(tmp_path, rules).by_id["deps-unknown-licence"].mode.value == "enforce"


def test_denied_package(tmp_path: Path) -> None:
    pol = _policy(tmp_path, "deps:\n  deny:\n    - package: Left_Pad\n      reason: 'unmaintained'\n")
    pkgs = [PackageLicence("left-pad", "1.0", "MIT", "test")]
    found = licence_findings(pol.of_kind("deps-deny"), [], None, pkgs)
    assert [f.rule for f in found] == ["deps-deny-package-left-pad"]
    assert "unmaintained" in found[0].message


@pytest.mark.parametrize(
    ("dist", "spdx"),
    [("PyYAML", "MIT"), ("pathspec", "MPL-2.0"), ("license-expression", "Apache-2.0"), ("pydantic", "MIT")],
)
def test_licences_of_real_installed_packages(dist: str, spdx: str) -> None:
    info = licence_of(md.distribution(dist))
    assert info.expression is not None and spdx in info.expression, info
    assert info.origin in ("License-Expression", "classifier", "License")


def test_resolve_walks_requirements_and_names_missing() -> None:
    found = {p.name.lower(): p for p in resolve(requirement_names(["jsonschema>=4", "no-such-pkg-xyz==1.0"]))}
    assert "jsonschema" in found and "referencing" in found  # a real transitive requirement
    assert found["no-such-pkg-xyz"].origin == "not installed" and found["no-such-pkg-xyz"].expression is None


def test_non_spdx_licence_text_is_unknown() -> None:
    assert is_spdx("MIT OR Apache-2.0")
    assert not is_spdx("The MIT License\n\nPermission is hereby granted")
    assert not is_spdx("Some Custom Licence")


def test_pinned_requirements(tmp_path: Path) -> None:
    pol = _policy(tmp_path, "deps:\n  pinned: {}\n")
    rule = pol.by_id["deps-pinned"]
    text = (
        "# comment\nrequests==2.31.0\nflask>=2\n-r other.txt\nnumpy==1.*\n"
        "pyyaml==6.0.1 \\\n    --hash=sha256:abc\nclick\nurllib3==2.0 ; python_version > '3'\n@@@\n"
    )
    found = pinned_findings(rule, "requirements.txt", text)
    assert [(f.line, f.message.split("'")[1]) for f in found] == [
        (3, "flask"),
        (5, "numpy"),
        (8, "click"),
        (10, "@@@"),
    ]
    assert rule.matches("requirements-dev.txt") and not rule.matches("docs/requirements.md")


def test_dependency_files() -> None:
    assert is_dependency_file("pyproject.toml") and is_dependency_file("sub/requirements-dev.txt")
    assert not is_dependency_file("src/app.py")


def test_non_spdx_licence_is_unknown_and_named(tmp_path: Path) -> None:
    pol = _policy(tmp_path, DENY_GPL)
    pkgs = [
        PackageLicence("odd", "2.0", None, "License", "Custom Licence v1"),
        PackageLicence("bare", "1", None, "none"),
    ]
    found = licence_findings(pol.of_kind("deps-deny"), [], pol.of_kind("deps-unknown")[0], pkgs)
    assert [f.message for f in found] == [
        "odd 2.0: licence unknown: 'Custom Licence v1' is not an SPDX expression",
        "bare 1: licence unknown: no licence (none)",
    ]


def test_sarif_schema_is_the_official_file_byte_for_byte() -> None:
    import hashlib

    import maestro_ci

    data = (Path(maestro_ci.__file__).parent / "data" / "sarif-2.1.0.schema.json").read_bytes()
    # oasis-tcs/sarif-spec, Schemata/sarif-schema-2.1.0.json at commit 85971b3e048f61a6d643b95fc6233d073302f5b8
    assert (
        hashlib.sha256(data).hexdigest() == "ad389db5a66fad5c131178b0e1f18600ac625616cd5ea20a00ee8ee246dc7069"
    )
