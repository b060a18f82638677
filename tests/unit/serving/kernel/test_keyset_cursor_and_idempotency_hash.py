import base64
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serving.kernel.http.idempotency import is_valid_key, request_hash
from serving.kernel.http.keyset_cursor import (
    Cursor,
    InvalidCursor,
    decode_cursor,
    decode_sequence_cursor,
    encode_cursor,
)


@given(
    st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.uuids(),
)
def test_a_cursor_decodes_to_exactly_the_position_it_encodes(placed_at: datetime, order_id: uuid.UUID) -> None:
    cursor = Cursor(placed_at, order_id)
    assert decode_cursor(encode_cursor(cursor)) == cursor


def test_a_cursor_keeps_its_instant_whatever_the_offset_it_was_made_with() -> None:
    ist = datetime(2026, 1, 1, 18, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    decoded = decode_cursor(encode_cursor(Cursor(ist, uuid.uuid4())))
    assert decoded.at == datetime(2026, 1, 1, 13, 0, tzinfo=UTC)


def test_a_cursor_is_url_safe_text_without_padding() -> None:
    text = encode_cursor(Cursor(datetime.now(UTC), uuid.uuid4()))
    assert "=" not in text and "/" not in text and "+" not in text


def naive_cursor() -> str:
    raw = b'{"p":"2026-01-01T00:00:00","o":"' + str(uuid.uuid4()).encode() + b'"}'
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-base64!!",
        "x" * 500,
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"p": "yesterday", "o": "x"}').decode(),
        base64.urlsafe_b64encode(b'{"p": "2026-01-01T00:00:00+00:00"}').decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b'{"p": "2026-01-01T00:00:00+00:00", "o": 7}').decode(),
        base64.urlsafe_b64encode(b'{"p": 5, "o": "' + str(uuid.uuid4()).encode() + b'"}').decode(),
        base64.urlsafe_b64encode(b'"just a string"').decode(),
        "é",
        naive_cursor(),
    ],
)
def test_anything_but_a_cursor_we_issued_is_an_invalid_cursor(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text)


@given(st.text(max_size=300))
def test_decoding_arbitrary_text_either_works_or_raises_invalid_cursor(text: str) -> None:
    try:
        decode_cursor(text)
    except InvalidCursor:
        pass


def test_the_request_hash_ignores_key_order_but_not_values() -> None:
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})
    assert request_hash({"b": [1, 2]}) != request_hash({"b": [2, 1]})


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_a_sequence_cursor_is_any_bigint_id_in_decimal(row_id: int) -> None:
    assert decode_sequence_cursor(str(row_id)) == row_id


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "+1", " 1", "1 ", "1e3", "0x10", "１２", "9223372036854775808", "9" * 19, "9" * 400]
)
def test_anything_else_is_an_invalid_sequence_cursor(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_sequence_cursor(text)


@given(st.text(max_size=30))
def test_decoding_arbitrary_text_as_a_sequence_cursor_gives_a_bigint_or_invalid_cursor(text: str) -> None:
    try:
        assert 1 <= decode_sequence_cursor(text) < 2**63
    except InvalidCursor:
        pass


# The one Idempotency-Key rule of every order- or money-creating endpoint.
@pytest.mark.parametrize(
    "key", ["2f1c7c1e-4f3a-4d7e-9a55-0d3c1c2b9e10", "01JD2Z3QK8", "x" * 8, "A" * 128, "a:b.c_d-e"]
)
def test_keys_of_8_to_128_letters_digits_dots_underscores_colons_and_dashes_are_valid(key: str) -> None:
    assert is_valid_key(key)


@pytest.mark.parametrize(
    "key", ["", "k", "x" * 7, "A" * 129, "has space", "tab\tkey-12", "ünïcode-key", "line-key\n", "a:b/c=d+e"]
)
def test_short_long_spaced_non_ascii_or_other_punctuation_keys_are_invalid(key: str) -> None:
    assert not is_valid_key(key)
