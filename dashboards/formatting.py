"""Display helpers: money arrives in integer minor units and is only formatted here."""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 minor-unit exponents that differ from 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3}


def minor_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def format_money(amount_minor: int, currency: str) -> str:
    """45050, "INR" -> "INR 450.50" (exact: Decimal, never float)."""
    exponent = minor_exponent(currency)
    major = Decimal(int(amount_minor)).scaleb(-exponent)
    return f"{currency} {major:,.{exponent}f}"
