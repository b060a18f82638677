"""``python -m serving.identity …``: the operator commands (``entrypoints.cli``)."""

from __future__ import annotations

import sys

from serving.identity.entrypoints.cli import main

if __name__ == "__main__":
    sys.exit(main())
