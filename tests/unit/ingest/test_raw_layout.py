import pytest

from ingest.raw.layout import (
    RawFile,
    RawLayerCorruptError,
    is_temp_name,
    next_offsets,
    parse_file_name,
    plan_start_offsets,
    temp_name_for,
    topic_dir_name,
)


def test_a_file_name_round_trips_to_the_same_partition_and_offset_range():
    raw_file = RawFile(partition=2, first_offset=10, last_offset=41)

    assert raw_file.name == "p0002-o00000000000000000010-00000000000000000041.parquet"
    assert parse_file_name(raw_file.name) == raw_file


def test_file_names_sort_in_offset_order_within_a_partition():
    files = [RawFile(0, 100, 199), RawFile(0, 5, 99), RawFile(0, 1000, 1000)]

    assert sorted(f.name for f in files) == [f.name for f in sorted(files)]


@pytest.mark.parametrize("name", ["_schema.parquet", ".lock", "p0001-o1-2.parquet", ".p0000-o000.parquet.ab12.tmp"])
def test_names_that_are_not_data_files_are_ignored(name):
    assert parse_file_name(name) is None


def test_temp_names_are_hidden_and_never_match_a_parquet_glob():
    temp = temp_name_for(RawFile(0, 0, 9).name, "ab12cd34")

    assert temp.startswith(".")
    assert not temp.endswith(".parquet")
    assert is_temp_name(temp)


def test_an_empty_or_inverted_offset_range_is_rejected():
    with pytest.raises(ValueError):
        RawFile(0, 10, 9)


def test_topic_folders_have_sql_friendly_names():
    assert topic_dir_name("orders.v1") == "orders_v1"
    assert topic_dir_name("metrics.city_orders_1m.v1") == "metrics_city_orders_1m_v1"


def test_the_next_offset_of_a_partition_is_one_past_the_last_offset_any_file_holds():
    files = [RawFile(0, 0, 9), RawFile(0, 10, 24), RawFile(2, 3, 3)]

    assert next_offsets(files) == {0: 25, 2: 4}


def test_overlapping_files_of_one_partition_are_reported_as_corruption():
    with pytest.raises(RawLayerCorruptError):
        next_offsets([RawFile(1, 0, 10), RawFile(1, 10, 20)])


def test_the_same_offsets_on_different_partitions_do_not_overlap():
    assert next_offsets([RawFile(0, 0, 10), RawFile(1, 0, 10)]) == {0: 11, 1: 11}


def test_a_partition_without_files_starts_at_the_beginning_of_its_log():
    plan = plan_start_offsets([0, 1], [RawFile(0, 0, 4)], beginning={0: 0, 1: 7}, end={0: 9, 1: 9})

    assert plan == {0: 5, 1: 7}


def test_offsets_deleted_by_retention_are_skipped_rather_than_waited_for():
    plan = plan_start_offsets([0], [RawFile(0, 0, 4)], beginning={0: 50}, end={0: 60})

    assert plan == {0: 50}


def test_files_reaching_past_the_log_end_mean_the_topic_was_recreated():
    with pytest.raises(RawLayerCorruptError, match="recreated"):
        plan_start_offsets([0], [RawFile(0, 0, 99)], beginning={0: 0}, end={0: 3})
