"""Every paged list refuses a cursor it did not issue with a 422 naming ``cursor``, never a
500: the keyset cursors of order history and reviews (``serving.kernel.http.keyset_cursor``) and the
ledger-line cursor of the wallet's transactions."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role

pytestmark = pytest.mark.stack


def _keyset(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


AN_ID = "00000000-0000-4000-8000-000000000000"
BAD_CURSORS = [
    # numbers past PostgreSQL's bigint, negative, zero (the ledger cursor was a 500 past bigint)
    "9223372036854775808", "99999999999999999999", "-1", "-9223372036854775809", "0",
    # garbage
    "garbage", "!!!", "1e3", "0x10", "+1", " 1", "１２", "x" * 300,
    # well-formed base64 JSON holding no position we could have issued
    _keyset('{"p":"10000-01-01T00:00:00+00:00","o":"' + AN_ID + '"}'),
    _keyset('{"p":"0000-01-01T00:00:00+00:00","o":"' + AN_ID + '"}'),
    _keyset('{"p":"-2026-01-01T00:00:00+00:00","o":"' + AN_ID + '"}'),
    _keyset('{"p":"2026-01-01T00:00:00+24:00","o":"' + AN_ID + '"}'),
    _keyset('{"p":"2026-01-01T00:00:00","o":"' + AN_ID + '"}'),
    _keyset('{"p":9223372036854775808,"o":"' + AN_ID + '"}'),
    _keyset('{"p":"2026-01-01T00:00:00+00:00","o":-1}'),
    _keyset('{"p":"2026-01-01T00:00:00+00:00","o":"' + "f" * 33 + '"}'),
]  # fmt: skip
LISTS = [
    ("/api/v1/orders", Role.CUSTOMER),
    (f"/api/v1/restaurants/{uuid.uuid4()}/reviews", Role.CUSTOMER),
    ("/api/v1/payments/transactions", Role.CUSTOMER),
]


@pytest.mark.parametrize(("path", "role"), LISTS)
@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_cursor_the_api_did_not_issue_is_a_422_naming_cursor(
    client: TestClient, auth: Callable[..., dict[str, str]], path: str, role: Role, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=auth(f"cust-{uuid.uuid4().hex[:8]}", role))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]
