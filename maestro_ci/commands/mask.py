"""``maestro-ci mask``: a streaming stdin → stdout filter that masks secrets."""

from __future__ import annotations

import argparse
import io
import sys

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Copy stdin to stdout with every secret replaced (default '***MASKED***'; set "
    "MAESTRO_MASK_REPLACEMENT). Extra patterns: MAESTRO_MASK_REGEXES (comma-separated) or "
    "mask.patterns in .maestro.yml. Memory stays flat whatever the input size."
)
EPILOG = "example:\n  pytest -v 2>&1 | maestro-ci mask > test.log"
HAS_RESULT = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--literal",
        action="append",
        default=[],
        metavar="VALUE",
        help="also mask this exact value (repeatable)",
    )


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.masking import read_blocks
    from maestro_ci.jobs.secrets import Masker, StreamMasker

    base = inv.settings.masker
    masker = Masker(base.rules, base.replacement, tuple(args.literal))
    stream = StreamMasker(masker)
    source = getattr(sys.stdin, "buffer", None)
    lines = (
        io.TextIOWrapper(source, encoding="utf-8", errors="surrogateescape", newline="")
        if source is not None
        else sys.stdin
    )
    out = inv.stdout
    buffer = getattr(out, "buffer", None)
    for chunk in stream.feed(read_blocks(lines)):
        if buffer is not None:
            buffer.write(chunk.encode("utf-8", "surrogateescape"))
        else:
            out.write(chunk)
    out.flush()
    return 0
