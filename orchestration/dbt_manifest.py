"""Is the dbt manifest Dagster loads still the project's? (File times only; no dbt.)"""

from pathlib import Path

# What dbt parses; a manifest older than any of these describes another project.
PROJECT_SOURCES = ("dbt_project.yml", "models", "tests", "macros", "seeds", "snapshots")


def manifest_is_current(project_dir: Path, manifest_path: Path) -> bool:
    """The manifest exists and is newer than every file dbt would parse into it."""
    if not manifest_path.exists():
        return False
    built = manifest_path.stat().st_mtime
    for name in PROJECT_SOURCES:
        source = project_dir / name
        files = [source] if source.is_file() else (source.rglob("*") if source.is_dir() else [])
        if any(path.stat().st_mtime > built for path in files):
            return False
    return True
