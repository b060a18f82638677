"""Settings of the cart service (docs/serving.md, Cart).

Every field is read from the variable ``TIFFIN_<FIELD>``; reading opens nothing.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CartSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    cart_ttl_seconds: int = Field(
        default=2 * 24 * 3600, ge=60, description="An untouched cart is forgotten after this (each write renews it)."
    )
