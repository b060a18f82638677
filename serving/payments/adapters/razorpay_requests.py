"""Razorpay REST requests, as pure values: URL, method, headers and JSON body.

Built here and sent by ``razorpay.RazorpayGateway``, so every detail of the wire
format (paise, basic auth, receipts) is unit-tested without a network. API:
https://razorpay.com/docs/api/ (orders, payments capture, refunds).

Razorpay takes amounts in the currency's smallest unit (paise for INR), which is
what Tiffin stores, so amounts pass through unchanged and are never floats.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BASE_URL = "https://api.razorpay.com"
# Razorpay limits receipts to 40 characters.
MAX_RECEIPT_LENGTH = 40


@dataclass(frozen=True)
class RazorpayCredentials:
    key_id: str
    key_secret: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(repr=False)  # carries the secret
    json: Mapping[str, Any]


def _headers(credentials: RazorpayCredentials, idempotency_key: str | None = None) -> dict[str, str]:
    token = base64.b64encode(f"{credentials.key_id}:{credentials.key_secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    if idempotency_key is not None:
        # Razorpay's own dedupe is the receipt / order id; the header is kept for
        # tracing on their side and for proxies that dedupe on it.
        headers["X-Idempotency-Key"] = idempotency_key
    return headers


def _url(credentials: RazorpayCredentials, path: str) -> str:
    return credentials.base_url.rstrip("/") + path


def _check_amount(amount_minor: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError("amounts are positive integers in paise")


def receipt_for(idempotency_key: str) -> str:
    """Our idempotency key as a Razorpay receipt (at most 40 characters)."""
    return idempotency_key[-MAX_RECEIPT_LENGTH:]


def create_order(
    credentials: RazorpayCredentials,
    *,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    notes: Mapping[str, str] | None = None,
) -> HttpRequest:
    """POST /v1/orders: the order a Checkout payment is made against."""
    _check_amount(amount_minor)
    return HttpRequest(
        method="POST",
        url=_url(credentials, "/v1/orders"),
        headers=_headers(credentials, idempotency_key),
        json={
            "amount": amount_minor,
            "currency": currency,
            "receipt": receipt_for(idempotency_key),
            "notes": dict(notes or {}),
        },
    )


def capture_payment(
    credentials: RazorpayCredentials,
    *,
    razorpay_payment_id: str,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
) -> HttpRequest:
    """POST /v1/payments/{id}/capture: take the money of an authorized payment."""
    _check_amount(amount_minor)
    return HttpRequest(
        method="POST",
        url=_url(credentials, f"/v1/payments/{_path_segment(razorpay_payment_id)}/capture"),
        headers=_headers(credentials, idempotency_key),
        json={"amount": amount_minor, "currency": currency},
    )


def refund_payment(
    credentials: RazorpayCredentials,
    *,
    razorpay_payment_id: str,
    amount_minor: int,
    idempotency_key: str,
) -> HttpRequest:
    """POST /v1/payments/{id}/refund: a partial or full refund; ``receipt`` dedupes it."""
    _check_amount(amount_minor)
    return HttpRequest(
        method="POST",
        url=_url(credentials, f"/v1/payments/{_path_segment(razorpay_payment_id)}/refund"),
        headers=_headers(credentials, idempotency_key),
        json={"amount": amount_minor, "speed": "normal", "receipt": receipt_for(idempotency_key)},
    )


def _path_segment(identifier: str) -> str:
    # Razorpay ids are like "pay_29QQoUBi66xm2f"; anything else must not reshape the URL.
    if not identifier or not all(c.isalnum() or c == "_" for c in identifier):
        raise ValueError(f"not a Razorpay id: {identifier!r}")
    return identifier
