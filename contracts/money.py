"""Money is integer minor units (paise, cents) with an ISO 4217 currency code."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# The most one payment may move, whatever its method (Rs 10,00,000): payments refuse
# more, so orders refuse to cost more, or they could never be paid. Far inside BIGINT.
MAX_PAYMENT_MINOR = 100_000_000

MinorUnits = Annotated[int, Field(ge=0, description="Amount in minor units (paise, cents).")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["INR"])]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount_minor: MinorUnits
    currency: CurrencyCode = "INR"
