"""Importing the batch side's composition root builds nothing (no dbt parse, no resources)."""

from tests.utils.processes import run_python


def test_importing_the_definitions_reads_no_environment_and_runs_no_dbt() -> None:
    # An invalid TIFFIN_ENV fails as soon as anything builds definitions; an import must not.
    env = {"TIFFIN_ENV": "not-an-environment", "PATH": "/nonexistent"}
    done = run_python("-c", "import orchestration.definitions as d; print(callable(d.defs))", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
