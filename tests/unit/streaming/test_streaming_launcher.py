"""streaming/launcher.py without a process: the child's environment, its log path, refusals
before anything starts (the launcher on real processes: tests/integration/streaming/)."""

import os
from pathlib import Path

import pytest

from streaming.launcher import job_environment, job_log_path, start_job
from streaming.paths import LOG4J_CONSOLE_PROPERTIES, REPO_ROOT


def test_the_child_environment_points_at_the_repository_and_the_streaming_venv(tmp_path: Path) -> None:
    python = tmp_path / "venv" / "bin" / "python"
    env = job_environment(
        {"TIFFIN_KAFKA_BOOTSTRAP": "127.0.0.1:1"},
        python=python,
        connector_jar=tmp_path / "c.jar",
        log_dir=tmp_path,
        base_env={"PATH": "/usr/bin", "PYTHONPATH": "/main/env/stuff", "PYTHONHOME": "/x"},
    )
    assert env["TIFFIN_KAFKA_BOOTSTRAP"] == "127.0.0.1:1"
    assert env["PYTHONPATH"] == str(REPO_ROOT)
    assert env["PATH"].split(os.pathsep)[0] == str(python.parent)
    assert env["VIRTUAL_ENV"] == str(tmp_path / "venv")
    assert "PYTHONHOME" not in env
    assert env["LOG4J_PROPERTIES"] == str(LOG4J_CONSOLE_PROPERTIES)
    assert LOG4J_CONSOLE_PROPERTIES.is_file()
    assert env["FLINK_LOG_DIR"] == str(tmp_path)
    assert env["TIFFIN_FLINK_CONNECTOR_JAR"] == str(tmp_path / "c.jar")


def test_logs_go_to_the_stack_log_folder(tmp_path: Path) -> None:
    path = job_log_path("city_order_metrics", {"TIFFIN_STACK_DIR": str(tmp_path)})
    assert path == tmp_path / "logs" / "streaming-city_order_metrics.log"


def test_unknown_jobs_and_missing_interpreters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown streaming job"):
        start_job("surge", {"TIFFIN_STACK_DIR": str(tmp_path)})
    with pytest.raises(FileNotFoundError):
        start_job("city_order_metrics", {"TIFFIN_STACK_DIR": str(tmp_path)}, python=tmp_path / "nope")
