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
    # Per-account login throttle (serving/identity/adapters/login_lockout.py).
    login_max_failures: int = Field(
        default=10, ge=1, description="Failed logins per account (email or phone) in the window before it locks."
    )
    login_failure_window_seconds: int = Field(
        default=900, ge=1, description="Window in which failed logins of one account are counted."
    )
    login_lockout_seconds: int = Field(
        default=900,
        ge=1,
        le=24 * 3600,
        description="How long a locked account's logins are refused (429); it then unlocks by itself.",
    )
