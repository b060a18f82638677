"""Settings of the orders service: pricing and the accept timeout (docs/serving.md, docs/saga.md).

Every field is read from the variable ``TIFFIN_<FIELD>``; reading opens nothing.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OrderSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    delivery_base_fee_minor: int = Field(default=2_000, ge=0, le=1_000_000, description="Fee up to included km.")
    delivery_included_km: float = Field(default=2.0, ge=0, le=100, description="Distance the base fee covers.")
    delivery_per_km_minor: int = Field(default=800, ge=0, le=100_000, description="Fee per km beyond the included km.")
    order_tax_bp: int = Field(
        default=500, ge=0, le=10_000, description="Catalog pricing: GST on the food after the discount (500 = 5 %)."
    )
    order_packaging_per_item_minor: int = Field(
        default=0, ge=0, le=100_000, description="Catalog pricing: packaging charged per portion."
    )
    order_packaging_flat_minor: int = Field(
        default=0, ge=0, le=100_000, description="Catalog pricing: packaging charged once per order."
    )
    order_accept_timeout_seconds: int = Field(
        default=600, ge=1, description="A PENDING order not accepted within this is cancelled (accept_timeout)."
    )
    accept_timeout_sweep_interval_seconds: float = Field(
        default=15.0, gt=0, description="Pause between two sweeps for accept timeouts."
    )
