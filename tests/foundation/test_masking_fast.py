"""The segment-wise masking of large texts equals masking the whole text rule by rule."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.jobs.masking import read_blocks
from maestro_ci.jobs.secrets import LARGE_TEXT, Masker, StreamMasker, build_masker
from tests.secret_samples import samples


def reference(masker: Masker, text: str) -> str:
    """The plain algorithm: literals, then every active rule over the whole text."""
    for literal in masker.literals:
        if literal and literal in text:
            text = text.replace(literal, masker.replacement)
    for rule in masker._active(text):
        text = rule.regex.sub(masker._replacer(rule), text)
    return text


SAMPLE_LINES = [line for line, _ in samples().values()]
FILLER = [
    "tests/test_mod.py::test_case PASSED [ 42%] duration=0.0123s",
    "",
    "   ",
    "INFO key rotation scheduled; token bucket refilled",
    "password =",
    'password:\n\n   "Zq8wXv2mNp4rTs6u"',
    "client_secret = os.environ['X']",
    "db = postgres://app:Zq8wXv2mNp4r@db:5432/shop",
    "Authorization:\n  Bearer abcdefghijklmnop1234",
    "İstanbul KEY=ÄÖÜ-ſecret ﬀ token",
    "aws_secret_access_key = " + "A" * 40,
    "Server=db;Database=x;User Id=sa;Password=Zq8wXv2mNp4r;",
    "x" * 300,
]
lines = st.lists(st.sampled_from(SAMPLE_LINES + FILLER) | st.text(max_size=40), min_size=1, max_size=60)


def _big(parts: list[str], pad: int) -> str:
    body = "\n".join(parts)
    filler = "ordinary log line with nothing to hide\n" * pad
    return filler[: pad * 7] + body + "\n" + filler + body


@given(parts=lines, pad=st.integers(min_value=0, max_value=60))
@settings(max_examples=80, deadline=None)
def test_large_texts_mask_like_the_reference(parts: list[str], pad: int) -> None:
    masker = build_masker(["shop-internal-[0-9a-f]{8}"], literals=["literal-value-123"])
    text = _big([*parts, "shop-internal-deadbeef literal-value-123"], pad)
    while len(text) < LARGE_TEXT:
        text += "\n" + text
    assert masker.mask(text) == reference(masker, text)


def test_the_fast_path_is_taken_and_masks_every_sample() -> None:
    masker = Masker()
    text = ("PASSED line\n" * 2000) + "\n".join(SAMPLE_LINES) + "\n"
    assert len(text) >= LARGE_TEXT
    masked = masker.mask(text)
    assert masked == reference(masker, text)
    for _, secret in samples().values():
        assert secret not in masked
    assert masker._windowed is not None  # the segment plan was built and used


def test_stream_of_blocks_equals_stream_of_lines() -> None:
    text = ("line PASSED\n" * 500 + "\n".join(SAMPLE_LINES) + "\n") * 3 + "tail without newline"
    by_lines = "".join(StreamMasker(Masker(), batch_bytes=4096).feed(io.StringIO(text)))
    blocks = read_blocks(io.StringIO(text), size=1000)
    by_blocks = "".join(StreamMasker(Masker(), batch_bytes=4096).feed(blocks))
    assert by_blocks == by_lines
    for _, secret in samples().values():
        assert secret not in by_blocks


def test_read_blocks_cuts_at_line_ends_and_very_long_lines() -> None:
    assert list(read_blocks(io.StringIO("a\nb\nc"), size=3)) == ["a\n", "b\n", "c"]
    long = "y" * 50
    assert "".join(read_blocks(io.StringIO(long + "\nz\n"), size=8, longest_line=16)) == long + "\nz\n"
    assert all(len(b) <= 24 for b in read_blocks(io.StringIO(long), size=8, longest_line=16))
    assert list(read_blocks(io.StringIO(""))) == []
