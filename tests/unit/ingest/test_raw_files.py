import pyarrow.parquet as pq

from ingest.raw.files import (
    ensure_schema_file,
    list_raw_files,
    remove_temp_files,
    write_raw_file,
)
from ingest.raw.layout import RawFile
from ingest.raw.rows import RAW_SCHEMA


def test_a_written_file_appears_under_its_final_name_with_no_temp_file_left(tmp_path):
    raw_file = RawFile(0, 0, 0)

    write_raw_file(RAW_SCHEMA.empty_table(), tmp_path, raw_file)

    assert sorted(p.name for p in tmp_path.iterdir()) == [raw_file.name]
    assert list_raw_files(tmp_path) == [raw_file]


def test_listing_ignores_the_schema_file_temp_files_and_the_lock(tmp_path):
    ensure_schema_file(tmp_path)
    (tmp_path / ".lock").touch()
    (tmp_path / ".p0000-o00000000000000000000-00000000000000000009.parquet.x.tmp").touch()
    write_raw_file(RAW_SCHEMA.empty_table(), tmp_path, RawFile(1, 5, 9))

    assert list_raw_files(tmp_path) == [RawFile(1, 5, 9)]


def test_temp_files_left_by_a_crash_are_removed_and_data_files_are_not(tmp_path):
    leftover = tmp_path / ".p0000-o00000000000000000000-00000000000000000009.parquet.x.tmp"
    leftover.touch()
    write_raw_file(RAW_SCHEMA.empty_table(), tmp_path, RawFile(0, 0, 9))

    assert remove_temp_files(tmp_path) == [leftover]
    assert list_raw_files(tmp_path) == [RawFile(0, 0, 9)]


def test_the_schema_file_has_no_rows_and_the_raw_schema(tmp_path):
    path = ensure_schema_file(tmp_path)

    table = pq.read_table(path)
    assert table.num_rows == 0
    assert table.schema.names == RAW_SCHEMA.names
