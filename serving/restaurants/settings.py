"""Settings of the restaurants service (docs/restaurants-and-search.md).

Every field is read from the variable ``TIFFIN_<FIELD>``; reading opens nothing.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RestaurantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    restaurant_cache_ttl_seconds: int = Field(
        default=300,
        ge=1,
        description="Safety-net TTL of cached restaurants and menus; change events invalidate them first.",
    )
