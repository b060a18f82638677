"""File naming and offset planning for one topic's folder in the raw layer (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SCHEMA_FILE_NAME = "_schema.parquet"
TEMP_SUFFIX = ".tmp"
_DATA_FILE = re.compile(r"^p(?P<partition>\d{4})-o(?P<first>\d{20})-(?P<last>\d{20})\.parquet$")


class RawLayerCorruptError(RuntimeError):
    """The files of a topic folder contradict each other (overlapping offset ranges)."""


@dataclass(frozen=True, order=True)
class RawFile:
    """One Parquet file holding offsets first_offset..last_offset (inclusive) of a partition."""

    partition: int
    first_offset: int
    last_offset: int

    def __post_init__(self) -> None:
        if self.partition < 0 or self.first_offset < 0 or self.last_offset < self.first_offset:
            raise ValueError(f"invalid raw file range {self!r}")

    @property
    def name(self) -> str:
        return f"p{self.partition:04d}-o{self.first_offset:020d}-{self.last_offset:020d}.parquet"


def topic_dir_name(topic: str) -> str:
    """orders.v1 -> orders_v1: a folder name that globs and quotes cleanly in SQL."""
    return re.sub(r"[^A-Za-z0-9_]", "_", topic)


def parse_file_name(name: str) -> RawFile | None:
    """The RawFile a data file name describes; None for any other name."""
    match = _DATA_FILE.match(name)
    if match is None:
        return None
    return RawFile(int(match["partition"]), int(match["first"]), int(match["last"]))


def temp_name_for(final_name: str, token: str) -> str:
    """A hidden name that no `*.parquet` glob matches, so readers never see a partial file."""
    return f".{final_name}.{token}{TEMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def check_no_overlaps(files: Iterable[RawFile]) -> None:
    previous: RawFile | None = None
    for current in sorted(files):
        if (
            previous is not None
            and previous.partition == current.partition
            and current.first_offset <= previous.last_offset
        ):
            raise RawLayerCorruptError(f"{previous.name} and {current.name} overlap")
        previous = current


def next_offsets(files: Iterable[RawFile]) -> dict[int, int]:
    """Per partition, the first offset that no file holds yet."""
    files = list(files)
    check_no_overlaps(files)
    result: dict[int, int] = {}
    for f in files:
        result[f.partition] = max(result.get(f.partition, 0), f.last_offset + 1)
    return result


def plan_start_offsets(
    partitions: Iterable[int],
    files: Iterable[RawFile],
    beginning: dict[int, int],
    end: dict[int, int],
) -> dict[int, int]:
    """Where to seek each partition: right after what the files hold, else the log start.

    A partition whose files reach past the log end means the topic was recreated;
    reading on would silently skip its new records, so that is an error.
    A start before the log beginning means retention deleted records we never
    loaded; the loader logs that and starts at the beginning.
    """
    held = next_offsets(files)
    plan: dict[int, int] = {}
    for partition in sorted(partitions):
        start = held.get(partition, 0)
        if start > end[partition]:
            raise RawLayerCorruptError(
                f"partition {partition}: files hold offsets up to {start - 1} but the log "
                f"ends at {end[partition]}; was the topic recreated?"
            )
        plan[partition] = max(start, beginning[partition])
    return plan
