"""Forged and odd bearer tokens, as a hostile client would send them.

Every case goes through the whole app, rate limiter included (it decodes tokens
too), to a protected read and a protected write, and must be a 401 problem naming
``Authorization`` with ``WWW-Authenticate: Bearer`` — never a 500, never a 200. A
forged admin's move on a real order changes nothing. A control case proves the
forging helper makes tokens the app accepts when nothing is tampered with, so each
refusal is the tampering's doing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from serving.settings import ServingSettings

pytestmark = pytest.mark.stack

READ = ("GET", "/api/v1/orders")
WRITE = ("PUT", "/api/v1/cart")  # a customer's write that needs no other resource to exist
CART = {"restaurant_id": "r-1", "items": [{"item_id": "i-1", "quantity": 1}]}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    """A customer's claims as login mints them; ``changes`` replace (None removes) claims."""
    now = int(time.time())
    result: dict[str, Any] = {"sub": f"cust-{uuid.uuid4().hex[:10]}", "role": "CUSTOMER",
                              "jti": uuid.uuid4().hex, "iat": now, "exp": now + 600}  # fmt: skip
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{signature}"


def forge(settings: ServingSettings, case: str) -> str:
    """The token of one forged case (a function, so tokens are fresh at test time)."""
    secret = settings.jwt_secret
    other = f"not-the-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}"
    good = claims()
    signed = jwt.encode(good, secret, algorithm="HS256")
    head, body, signature = signed.split(".")
    cases: dict[str, Any] = {
        # The algorithm
        "alg none": lambda: unsigned({"alg": "none", "typ": "JWT"}, good),
        "alg None, signature kept": lambda: unsigned({"alg": "None", "typ": "JWT"}, good, signature),
        "alg NONE": lambda: unsigned({"alg": "NONE"}, good),
        "HS256 with another secret": lambda: jwt.encode(good, other, algorithm="HS256"),
        "HS512 with the real secret": lambda: jwt.encode(good, secret, algorithm="HS512"),
        "HS384 with the real secret": lambda: jwt.encode(good, secret, algorithm="HS384"),
        "RS256 with an attacker's key": lambda: jwt.encode(good, _attackers_rsa_key(), algorithm="RS256"),
        # The alg-confusion attack: say RS256, sign with HMAC over the header that says so.
        "RS256 header, HMAC signature": lambda: _hmac_signed({"alg": "RS256", "typ": "JWT"}, good, secret),
        "HS256 header, HS512 signature": lambda: _hmac_signed({"alg": "HS256"}, good, secret, digest="sha512"),
        "signature stripped": lambda: f"{head}.{body}.",
        "signature of another payload": lambda: f"{head}.{b64(json.dumps(claims(role='ADMIN')).encode())}.{signature}",
        # The claims, validly signed with the real secret
        "no sub": lambda: jwt.encode(claims(sub=None), secret, algorithm="HS256"),
        "empty sub": lambda: jwt.encode(claims(sub=""), secret, algorithm="HS256"),
        "int sub": lambda: jwt.encode(claims(sub=42), secret, algorithm="HS256"),
        "list sub": lambda: jwt.encode(claims(sub=["a", "b"]), secret, algorithm="HS256"),
        "unknown role": lambda: jwt.encode(claims(role="SUPERUSER"), secret, algorithm="HS256"),
        "lower-case role": lambda: jwt.encode(claims(role="admin"), secret, algorithm="HS256"),
        "no role": lambda: jwt.encode(claims(role=None), secret, algorithm="HS256"),
        "no jti": lambda: jwt.encode(claims(jti=None), secret, algorithm="HS256"),
        "int jti": lambda: jwt.encode(claims(jti=7), secret, algorithm="HS256"),
        "expired": lambda: jwt.encode(claims(exp=int(time.time()) - 60), secret, algorithm="HS256"),
        "no exp": lambda: jwt.encode(claims(exp=None), secret, algorithm="HS256"),
        "exp not a number": lambda: jwt.encode(claims(exp="tomorrow"), secret, algorithm="HS256"),
        "nbf in the future": lambda: jwt.encode(claims(nbf=int(time.time()) + 3600), secret, algorithm="HS256"),
        "iat in the future": lambda: jwt.encode(claims(iat=int(time.time()) + 3600), secret, algorithm="HS256"),
        # PyJWT accepts any integer exp; one past the calendar must not become an OverflowError.
        "exp 10**20": lambda: jwt.encode(claims(exp=10**20), secret, algorithm="HS256"),
        "exp past year 9999": lambda: jwt.encode(claims(exp=253402300800), secret, algorithm="HS256"),
        "exp Infinity": lambda: _hmac_signed({"alg": "HS256", "typ": "JWT"}, claims(exp=float("inf")), secret),
        "exp NaN": lambda: _hmac_signed({"alg": "HS256", "typ": "JWT"}, claims(exp=float("nan")), secret),
        # Size and shape
        "10 KB claim, another secret": lambda: jwt.encode(claims(pad="x" * 10_240), other, algorithm="HS256"),
        "10 KB sub, alg none": lambda: unsigned({"alg": "none"}, claims(sub="x" * 10_240)),
        "garbage": lambda: "not-a-jwt",
        "garbage base64": lambda: "!!!.@@@.###",
        "two segments": lambda: f"{head}.{body}",
        "four segments": lambda: f"{signed}.{signature}",
        "header not JSON": lambda: f"{b64(b'{not json')}.{body}.{signature}",
        "payload not JSON": lambda: _hmac_signed_raw(head, b64(b"[1, 2"), secret),
        "payload a JSON list": lambda: _hmac_signed_raw(head, b64(b"[1, 2]"), secret),
        "truncated": lambda: signed[: len(signed) // 2],
    }
    token: str = cases[case]()
    return token


@functools.cache
def _attackers_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _hmac_signed(header: dict[str, Any], payload: dict[str, Any], secret: str, digest: str = "sha256") -> str:
    encoded = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return _sign(encoded, secret, digest)


def _hmac_signed_raw(head: str, body: str, secret: str) -> str:
    return _sign(f"{head}.{body}", secret, "sha256")


def _sign(signing_input: str, secret: str, digest: str) -> str:
    mac = hmac.new(secret.encode(), signing_input.encode(), getattr(hashlib, digest)).digest()
    return f"{signing_input}.{b64(mac)}"


FORGED = [
    "alg none", "alg None, signature kept", "alg NONE", "HS256 with another secret", "HS512 with the real secret",
    "HS384 with the real secret", "RS256 with an attacker's key", "RS256 header, HMAC signature",
    "HS256 header, HS512 signature", "signature stripped", "signature of another payload", "no sub", "empty sub",
    "int sub", "list sub", "unknown role", "lower-case role", "no role", "no jti", "int jti", "expired", "no exp",
    "exp not a number", "nbf in the future", "iat in the future", "exp 10**20", "exp past year 9999",
    "exp Infinity", "exp NaN", "10 KB claim, another secret", "10 KB sub, alg none", "garbage", "garbage base64",
    "two segments", "four segments", "header not JSON", "payload not JSON", "payload a JSON list", "truncated",
]  # fmt: skip


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["type"] == "urn:tiffin:problem:unauthorized" and body["status"] == 401
    assert [error["field"] for error in body["errors"]] == ["Authorization"]


def call(client: httpx.Client, route: tuple[str, str], headers: list[tuple[str, str]] | dict[str, str]) -> Any:
    method, path = route
    return client.request(method, path, headers=headers, json=CART if method == "PUT" else None)


def test_the_forging_helper_makes_tokens_the_app_accepts_when_nothing_is_tampered_with(
    gated_client: httpx.Client, security_settings: ServingSettings
) -> None:
    token = _hmac_signed({"alg": "HS256", "typ": "JWT"}, claims(), security_settings.jwt_secret)
    assert call(gated_client, READ, {"Authorization": f"Bearer {token}"}).status_code == 200
    # The cart's restaurant is checked only at checkout... or refused as unknown: either way not a 401.
    assert call(gated_client, WRITE, {"Authorization": f"Bearer {token}"}).status_code != 401


@pytest.mark.parametrize("case", FORGED)
@pytest.mark.parametrize("route", [READ, WRITE], ids=["read", "write"])
def test_a_forged_or_malformed_token_is_a_401_problem(
    gated_client: httpx.Client, security_settings: ServingSettings, case: str, route: tuple[str, str]
) -> None:
    token = forge(security_settings, case)
    assert_unauthorized(call(gated_client, route, {"Authorization": f"Bearer {token}"}))


def _valid(settings: ServingSettings) -> str:
    return jwt.encode(claims(), settings.jwt_secret, algorithm="HS256")


ODD_HEADERS: dict[str, Callable[[str], list[tuple[str, str]]]] = {
    "no header": lambda token: [],
    "empty header": lambda token: [("Authorization", "")],
    "scheme only": lambda token: [("Authorization", "Bearer")],
    "scheme and a space": lambda token: [("Authorization", "Bearer ")],
    "no scheme": lambda token: [("Authorization", token)],
    "Basic scheme": lambda token: [("Authorization", "Basic " + base64.b64encode(b"admin:admin").decode())],
    "Token scheme": lambda token: [("Authorization", f"Token {token}")],
    "a tab": lambda token: [("Authorization", f"Bearer\t{token}")],
    "a space inside the token": lambda token: [("Authorization", f"Bearer {token[:20]} {token[20:]}")],
    "two tokens": lambda token: [("Authorization", f"Bearer {token} {token}")],
    "split across two headers": lambda token: [
        ("Authorization", f"Bearer {token[:30]}"),
        ("Authorization", token[30:]),
    ],  # fmt: skip
    "scheme and token in two headers": lambda token: [("Authorization", "Bearer"), ("Authorization", token)],
    "token in a query-style header": lambda token: [("X-Access-Token", token)],
    "token in a cookie": lambda token: [("Cookie", f"access_token={token}")],
}


@pytest.mark.parametrize("case", list(ODD_HEADERS))
def test_an_odd_authorization_header_is_a_401_problem(
    gated_client: httpx.Client, security_settings: ServingSettings, case: str
) -> None:
    token = _valid(security_settings)
    assert_unauthorized(call(gated_client, READ, ODD_HEADERS[case](token)))


def test_a_token_in_the_query_string_is_not_a_credential(
    gated_client: httpx.Client, security_settings: ServingSettings
) -> None:
    token = _valid(security_settings)
    assert_unauthorized(gated_client.get(f"/api/v1/orders?access_token={token}"))


def test_the_scheme_is_case_insensitive_and_may_be_followed_by_several_spaces_as_the_rfcs_say(
    gated_client: httpx.Client, security_settings: ServingSettings
) -> None:
    # RFC 7235 §2.1: the auth-scheme is case-insensitive; RFC 6750 §2.1: credentials =
    # "Bearer" 1*SP b64token. So these are the same credential as "Bearer <token>", and
    # are refused exactly when the token itself is bad.
    for prefix in ("bearer ", "BEARER ", "bEaReR ", "Bearer  ", "Bearer   "):
        good = call(gated_client, READ, {"Authorization": prefix + _valid(security_settings)})
        assert good.status_code == 200, (prefix, good.text)
        assert_unauthorized(call(gated_client, READ, {"Authorization": prefix + forge(security_settings, "alg none")}))
        assert_unauthorized(call(gated_client, READ, {"Authorization": prefix + forge(security_settings, "expired")}))


def test_a_forged_admin_token_reads_nothing_and_writes_nothing(
    gated_client: httpx.Client, security_settings: ServingSettings, kit: Any
) -> None:
    """The forgeries that matter most, aimed at an admin-only move on a real order."""
    kitchen = kit.kitchen()
    order = kit.order(kit.dev(), kitchen)
    admin = claims(role="ADMIN", sub="ops-admin")
    for token in (
        unsigned({"alg": "none"}, admin),
        jwt.encode(admin, "guessed-secret-" + "x" * 32, algorithm="HS256"),
        _hmac_signed({"alg": "RS256"}, admin, security_settings.jwt_secret, digest="sha512"),
    ):
        moved = gated_client.post(
            f"/api/v1/orders/{order['order_id']}/status",
            json={"status": "CANCELLED", "reason": "payment_failed"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert_unauthorized(moved)
        assert_unauthorized(
            gated_client.get(f"/api/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {token}"})
        )
    assert kit.get_order(order["order_id"])["status"] == "PENDING"


def test_a_refresh_token_is_no_access_token_and_an_access_token_no_refresh_token(gated_client: httpx.Client) -> None:
    email = f"swap-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct horse battery staple", "name": "Swapper"}
    assert gated_client.post("/api/v1/auth/register", json=body).status_code == 201
    tokens = gated_client.post("/api/v1/auth/login", json={"email": email, "password": body["password"]}).json()
    assert_unauthorized(call(gated_client, READ, {"Authorization": f"Bearer {tokens['refresh_token']}"}))
    swapped = gated_client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
    # Refused either way: too long for a refresh token (422), or no such refresh token (401).
    assert swapped.status_code in (401, 422) and swapped.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in swapped.json()["errors"]] == ["refresh_token"]
    assert call(gated_client, READ, {"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
