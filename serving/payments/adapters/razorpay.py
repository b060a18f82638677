"""The Razorpay adapter: PaymentGateway over Razorpay's REST API, sent with httpx.

With Razorpay, card data never reaches Tiffin: Checkout (browser or app) authorizes
the card and hands back a Razorpay payment id (``pay_…``). ``charge`` captures that
payment; until the HTTP API grows a field for it, the id travels in
``ChargeRequest.card.number``. Requests are built by ``razorpay_requests`` (pure,
unit-tested); this module only sends them and maps the answers: 4xx → declined (permanent),
429 / 5xx / network errors → transient, a timeout → GatewayTimeout (retried with the same key).
"""

from __future__ import annotations

from typing import Any

import httpx

from serving.payments.adapters.razorpay_requests import (
    HttpRequest,
    RazorpayCredentials,
    capture_payment,
    refund_payment,
)
from serving.payments.domain.gateway import (
    Charge,
    ChargeRequest,
    GatewayDeclined,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
    RefundRequest,
)

__all__ = ["RazorpayCredentials", "RazorpayGateway"]


class RazorpayGateway:
    def __init__(
        self,
        credentials: RazorpayCredentials,
        *,
        timeout_seconds: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._credentials = credentials
        self._client = httpx.Client(timeout=timeout_seconds, transport=transport)

    def close(self) -> None:
        self._client.close()

    def _send(self, request: HttpRequest) -> dict[str, Any]:
        try:
            response = self._client.request(
                request.method, request.url, headers=dict(request.headers), json=dict(request.json)
            )
        except httpx.TimeoutException as exc:
            raise GatewayTimeout(f"razorpay: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"razorpay: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise GatewayUnavailable(f"razorpay answered {response.status_code}")
        body: dict[str, Any] = response.json() if response.content else {}
        if response.status_code >= 400:
            error = body.get("error", {}) if isinstance(body.get("error"), dict) else {}
            raise GatewayDeclined(str(error.get("code") or f"http_{response.status_code}"))
        return body

    def charge(self, request: ChargeRequest) -> Charge:
        """Capture the payment Checkout authorized; its id travels as the card token."""
        razorpay_payment_id = request.card.number
        body = self._send(
            capture_payment(
                self._credentials,
                razorpay_payment_id=razorpay_payment_id,
                amount_minor=request.amount_minor,
                currency=request.currency,
                idempotency_key=request.idempotency_key,
            )
        )
        card_field = body.get("card")
        card: dict[str, Any] = card_field if isinstance(card_field, dict) else {}
        return Charge(
            reference=str(body.get("id", razorpay_payment_id)),
            card_token=str(body.get("token_id") or razorpay_payment_id),
            card_last4=str(card.get("last4") or "0000"),
            card_brand=str(card.get("network") or "unknown").lower(),
            amount_minor=int(body.get("amount", request.amount_minor)),
        )

    def refund(self, request: RefundRequest) -> GatewayRefund:
        body = self._send(
            refund_payment(
                self._credentials,
                razorpay_payment_id=request.charge_reference,
                amount_minor=request.amount_minor,
                idempotency_key=request.idempotency_key,
            )
        )
        return GatewayRefund(reference=str(body["id"]), amount_minor=int(body.get("amount", request.amount_minor)))
