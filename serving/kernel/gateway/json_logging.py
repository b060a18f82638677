"""Structured logs: one JSON object per line, carrying the request id when there is one.

A request never waits for its log lines: the root logger's handler only queues the
record (stamped with the request id on the way); a writer thread formats and writes
it, so a slow or full stderr pipe cannot stall the event loop.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import sys
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener
from typing import Any

from serving.kernel.gateway.request_context import request_id_var

# LogRecord attributes that are not "extra" fields a caller passed.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id``; installed on the handler so every logger's lines get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _Enqueue(QueueHandler):
    """Queues the record as it is: the writer thread formats it (the stdlib's QueueHandler
    would format here, on the request's time, to make the record picklable)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


_HANDLER_NAME = "tiffin-json"


def configure_logging(level: str = "INFO") -> None:
    """Send the root logger's output to stderr as JSON lines, via a queue. Idempotent.

    Called by ``create_app`` (so ``uvicorn --factory`` gets it) and by the
    command-line entry points; calling it twice replaces nothing and adds nothing.
    Uvicorn's own loggers propagate to the root, so their lines are JSON too. The
    writer thread drains the queue at interpreter exit.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(JsonFormatter())
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    handler = _Enqueue(records)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())  # here, in the request's context, where the id is
    root.addHandler(handler)
    listener = QueueListener(records, writer)
    listener.start()
    atexit.register(listener.stop)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
