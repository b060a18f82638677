"""Settings of the payments service: the card gateway and its retries (docs/payments.md).

Every field is read from the variable ``TIFFIN_<FIELD>``; reading opens nothing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PaymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    payments_gateway: Literal["sandbox", "razorpay"] = Field(
        default="sandbox", description="Card gateway: the local sandbox (test cards) or Razorpay."
    )
    payments_sandbox_transient_failures: int = Field(
        default=2, ge=0, description="How often the sandbox's transient test card fails before it succeeds."
    )
    payments_gateway_max_attempts: int = Field(
        default=4, ge=1, le=10, description="Calls per gateway operation, first try included (same idempotency key)."
    )
    payments_retry_initial_seconds: float = Field(
        default=0.05, gt=0, description="First pause between gateway attempts; doubles per retry."
    )
    payments_retry_cap_seconds: float = Field(default=1.0, gt=0, description="Longest pause between gateway attempts.")
    payments_gateway_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Bound on one HTTP call to a real gateway."
    )
    razorpay_key_id: str = Field(default="", description="Razorpay API key id (basic-auth user).")
    razorpay_key_secret: SecretStr = Field(
        default=SecretStr(""), description="Razorpay API key secret (basic-auth password); from a secret store."
    )
    razorpay_base_url: str = Field(default="https://api.razorpay.com", description="Razorpay API root.")
