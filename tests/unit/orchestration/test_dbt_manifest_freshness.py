import os
from pathlib import Path

from orchestration.dbt_manifest import manifest_is_current


def _project(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "models" / "staging").mkdir(parents=True)
    (tmp_path / "dbt_project.yml").write_text("name: t\n")
    (tmp_path / "models" / "staging" / "stg.sql").write_text("select 1\n")
    manifest = tmp_path / "target" / "manifest.json"
    manifest.parent.mkdir()
    return tmp_path, manifest


def _age(path: Path, seconds: float) -> None:
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


def test_a_missing_manifest_is_not_current(tmp_path: Path) -> None:
    project, manifest = _project(tmp_path)
    assert not manifest_is_current(project, manifest)


def test_a_manifest_newer_than_every_source_is_current(tmp_path: Path) -> None:
    project, manifest = _project(tmp_path)
    for path in [project / "dbt_project.yml", *project.joinpath("models").rglob("*")]:
        _age(path, 60)
    manifest.write_text("{}")
    assert manifest_is_current(project, manifest)


def test_a_model_or_test_written_after_the_manifest_makes_it_stale(tmp_path: Path) -> None:
    project, manifest = _project(tmp_path)
    manifest.write_text("{}")
    _age(manifest, 60)
    assert not manifest_is_current(project, manifest)  # the model is newer
    for path in [project / "dbt_project.yml", *project.joinpath("models").rglob("*")]:
        _age(path, 120)
    assert manifest_is_current(project, manifest)
    (project / "tests").mkdir()
    (project / "tests" / "assert_something.sql").write_text("select 1 where false\n")
    assert not manifest_is_current(project, manifest)
