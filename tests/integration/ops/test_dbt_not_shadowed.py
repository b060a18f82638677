"""The repository's dbt/ folder (the dbt project) is not a Python package that would
hide the installed dbt from a process started in the repository root."""

from ops.paths import REPO_ROOT
from tests.utils.processes import run_python


def test_the_dbt_folder_does_not_shadow_the_installed_dbt_package() -> None:
    result = run_python("-c", "import dbt.version; print(dbt.version.__version__)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("1.")
    assert not (REPO_ROOT / "dbt" / "__init__.py").exists()
