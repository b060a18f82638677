"""Where the streaming environment, the connector jar and the logging config live.

streaming/ may not import ops/ (docs/architecture), so the launcher finds the repository
from this file; the stack CLI can still pass its own paths (StackConfig) explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STREAMING_DIR = REPO_ROOT / "streaming"
STREAMING_PYTHON = STREAMING_DIR / ".venv" / "bin" / "python"
FLINK_KAFKA_CONNECTOR_JAR_NAME = "flink-sql-connector-kafka-5.0.0-2.2.jar"
LOG4J_CONSOLE_PROPERTIES = STREAMING_DIR / "conf" / "log4j-console.properties"


def default_connector_jar() -> Path:
    """TIFFIN_FLINK_CONNECTOR_JAR, else the jar that ops/bootstrap.sh fetches into .cache."""
    configured = os.environ.get("TIFFIN_FLINK_CONNECTOR_JAR")
    if configured:
        return Path(configured)
    return REPO_ROOT / ".cache" / "jars" / "flink" / FLINK_KAFKA_CONNECTOR_JAR_NAME
