"""The card gateway port: what the payments service needs from any card provider.

Every call carries an idempotency key; a gateway must answer a repeated key with the
first call's result instead of moving money again. That is what makes retries (and
a client resubmitting after a crash) safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CardDetails:
    """A card as the customer typed it. Lives in memory for one request, never stored or logged."""

    number: str = field(repr=False)
    expiry_month: int
    expiry_year: int
    cvc: str = field(repr=False)

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class ChargeRequest:
    idempotency_key: str
    amount_minor: int
    currency: str
    card: CardDetails
    description: str


@dataclass(frozen=True)
class Charge:
    """A captured charge: what we may keep about it (no card number)."""

    reference: str  # the gateway's id of the charge, needed to refund it
    card_token: str
    card_last4: str
    card_brand: str
    amount_minor: int


@dataclass(frozen=True)
class RefundRequest:
    idempotency_key: str
    charge_reference: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class GatewayRefund:
    reference: str
    amount_minor: int


class GatewayError(Exception):
    """The gateway did not do what was asked."""


class GatewayDeclined(GatewayError):
    """A permanent answer (declined, invalid card, refund refused): retrying cannot help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayUnavailable(GatewayError):
    """A transient failure (5xx, connection reset): the same call may succeed later."""


class GatewayTimeout(GatewayUnavailable):
    """No answer in time. The call may or may not have happened, so it is retried with the
    same idempotency key, which makes a second attempt a no-op if the first went through."""


class PaymentGateway(Protocol):
    def charge(self, request: ChargeRequest) -> Charge:
        """Authorize and capture in one step; raises GatewayDeclined or GatewayUnavailable."""
        ...

    def refund(self, request: RefundRequest) -> GatewayRefund:
        """Refund part or all of a charge; raises GatewayDeclined or GatewayUnavailable."""
        ...


def luhn_valid(number: str) -> bool:
    """The checksum every card number carries; catches typos before calling a gateway."""
    if not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The network, from the number's prefix (enough for display: "visa •••• 4242")."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number.startswith(("60", "65", "81", "82", "508")):
        return "rupay"
    return "unknown"
