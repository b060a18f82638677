"""Importing the batch side's composition root builds nothing (no dbt parse, no resources)."""

import os
import subprocess
import sys

from ops.paths import REPO_ROOT


def test_importing_the_definitions_reads_no_environment_and_runs_no_dbt() -> None:
    # An invalid TIFFIN_ENV fails as soon as anything builds definitions; an import must not.
    env = {**os.environ, "TIFFIN_ENV": "not-an-environment", "PATH": "/nonexistent"}
    script = "import orchestration.definitions as d; print(callable(d.defs))"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
