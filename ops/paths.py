"""Where the repository and its git-ignored working folders are."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / ".cache"
JARS_DIR = CACHE_DIR / "jars"
KAFKA_LIB_DIR = JARS_DIR / "kafka"
FLINK_LIB_DIR = JARS_DIR / "flink"
STREAMING_ENV = REPO_ROOT / "streaming" / ".venv"
STREAMING_PYTHON = STREAMING_ENV / "bin" / "python"
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
