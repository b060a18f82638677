"""File-system side of the raw layer: atomic Parquet writes, listing, the folder lock."""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.raw.layout import SCHEMA_FILE_NAME, RawFile, is_temp_name, parse_file_name, temp_name_for
from ingest.raw.rows import RAW_SCHEMA

LOCK_FILE_NAME = ".lock"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet_atomically(table: pa.Table, path: Path) -> Path:
    """Write to a hidden temp file, fsync, then rename: readers see all of it or nothing."""
    temp = path.with_name(temp_name_for(path.name, uuid.uuid4().hex[:8]))
    try:
        with open(temp, "wb") as sink:
            pq.write_table(table, sink, compression="zstd")
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


def write_raw_file(table: pa.Table, directory: Path, raw_file: RawFile) -> Path:
    return write_parquet_atomically(table, directory / raw_file.name)


def list_raw_files(directory: Path) -> list[RawFile]:
    if not directory.is_dir():
        return []
    parsed = (parse_file_name(entry.name) for entry in directory.iterdir())
    return sorted(f for f in parsed if f is not None)


def remove_temp_files(directory: Path) -> list[Path]:
    """Leftovers of a crash mid-write; only safe while holding the folder lock."""
    removed = [entry for entry in directory.iterdir() if is_temp_name(entry.name)]
    for entry in removed:
        entry.unlink(missing_ok=True)
    return removed


def ensure_schema_file(directory: Path) -> Path:
    """A zero-row file, so `read_parquet('<dir>/*.parquet')` works before the first load."""
    path = directory / SCHEMA_FILE_NAME
    if not path.exists():
        write_parquet_atomically(RAW_SCHEMA.empty_table(), path)
    return path


@contextmanager
def folder_lock(directory: Path) -> Iterator[None]:
    """One loader per topic folder at a time (an advisory lock, released on crash)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
