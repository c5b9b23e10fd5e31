"""`python -m maestro_ci` runs the CLI."""

from __future__ import annotations

import sys

from maestro_ci.cli import main

if __name__ == "__main__":
    sys.exit(main())
