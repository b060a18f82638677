"""Child processes the way an operator or a deployment starts them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from ops.paths import REPO_ROOT


def run_python(*args: str, env: Mapping[str, str] | None = None, input: str | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """``python <args>`` with this interpreter in the repository root, the environment
    plus ``env`` (``PATH`` included, when given); its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_module(module: str, *args: str, env: Mapping[str, str] | None = None, input: str | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """``python -m <module> <args>``, as ``run_python``."""
    return run_python("-m", module, *args, env=env, input=input, timeout=timeout)
