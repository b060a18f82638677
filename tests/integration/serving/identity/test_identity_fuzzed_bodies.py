"""Random JSON at every identity route with a body: never a 500, and problems name a field."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.people import User

pytestmark = pytest.mark.stack

_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_fields = [
    "email",
    "phone",
    "password",
    "name",
    "role",
    "refresh_token",
    "label",
    "line",
    "city",
    "lat",
    "lon",
    "is_default",
]
_bodies = st.dictionaries(st.sampled_from(_fields), _json, max_size=6) | _json

ROUTES = [
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("PATCH", "/api/v1/users/me"),
    ("POST", "/api/v1/users/me/addresses"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_fuzzed_bodies_never_cause_a_500(
    client: TestClient, new_user: Callable[..., User], method: str, path: str
) -> None:
    user = new_user()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=_bodies)
    def check(body: Any) -> None:
        response = client.request(method, path, json=body, headers=user.headers)
        assert response.status_code < 500, (body, response.text)
        if response.status_code == 422:
            assert response.json()["errors"] and all(e["field"] for e in response.json()["errors"])

    check()
