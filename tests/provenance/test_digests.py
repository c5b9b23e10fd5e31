from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.sources.digests import sha256_many, sha256_of, unique_names


@pytest.mark.parametrize("size", [0, 1, 4095, 1 << 20, (1 << 20) + 17, 3 * (1 << 20) + 5])
def test_digest_equals_hashlib(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_many_files_keep_their_order(tmp_path: Path) -> None:
    paths = []
    for i in range(40):
        p = tmp_path / f"f{i}"
        p.write_bytes(os.urandom(1000 + i * 5000))
        paths.append(p)
    expected = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert sha256_many(paths) == expected
    assert sha256_many(paths, workers=1) == expected


def test_missing_and_directory_subjects_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        sha256_many([tmp_path / "nope.whl"])
    with pytest.raises(InputError, match="directory"):
        sha256_many([tmp_path])


def test_duplicate_names_are_refused() -> None:
    assert unique_names(["a", "b"]) == ["a", "b"]
    with pytest.raises(InputError, match="twice"):
        unique_names(["a", "a"])
