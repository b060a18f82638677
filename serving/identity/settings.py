"""Settings of the identity service (docs/identity.md).

Every field is read from the variable ``TIFFIN_<FIELD>``; reading opens nothing.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IdentitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    refresh_token_ttl_seconds: int = Field(
        default=30 * 24 * 3600, ge=60, description="Lifetime of a refresh token (each rotation starts anew)."
    )
