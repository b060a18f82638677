import subprocess
import sys

from ops.paths import REPO_ROOT


def test_the_dbt_folder_does_not_shadow_the_installed_dbt_package() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import dbt.version; print(dbt.version.__version__)"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("1.")
    assert not (REPO_ROOT / "dbt" / "__init__.py").exists()
