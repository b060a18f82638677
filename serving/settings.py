"""Settings of the serving layer, read from TIFFIN_* environment variables.

Reading settings never opens a connection: engines and producers are created by
the app's lifespan or by the relay when they first need them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only good enough for a laptop: anyone who knows it can mint tokens. Production
# sets TIFFIN_JWT_SECRET from a secret store.
DEV_JWT_SECRET = "tiffin-dev-secret-change-me-in-production-0123456789"


class ServingSettings(BaseSettings):
    """Everything a serving process needs to reach its database, Kafka and peers.

    Every field can be set with the variable named ``TIFFIN_<FIELD>`` (upper case),
    e.g. ``TIFFIN_DATABASE_URL``; the defaults point at the local stack
    (``tiffin stack up``).
    """

    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="ignore")

    service_name: str = Field(
        default="tiffin-serving", description="Name in logs, Kafka client ids and the API."
    )
    database_url: str = Field(
        default="postgresql+psycopg://tiffin:tiffin@127.0.0.1:55432/tiffin",
        description="SQLAlchemy URL of the PostgreSQL database holding the service schemas.",
    )
    kafka_bootstrap: str = Field(
        default="127.0.0.1:59092", description="Kafka bootstrap servers, comma-separated."
    )
    jwt_secret: str = Field(
        default=DEV_JWT_SECRET,
        min_length=32,
        description="HS256 key that signs access tokens. The default is for development only.",
    )
    access_token_ttl_seconds: int = Field(
        default=900, ge=1, description="Lifetime of tokens minted by issue_access_token."
    )
    outbox_batch_size: int = Field(
        default=100, ge=1, description="Outbox rows the relay publishes per transaction."
    )
    outbox_poll_interval_seconds: float = Field(
        default=0.5, gt=0, description="Relay pause when the outbox is empty."
    )
    kafka_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        description="Upper bound of one Kafka publish (connect, metadata, ack): an outage fails fast.",
    )
    # --- identity and gateway (docs/identity.md) ---
    redis_url: str = Field(
        default="redis://127.0.0.1:56379/0",
        description="Redis for the access-token denylist and rate limiting; connected on first use.",
    )
    refresh_token_ttl_seconds: int = Field(
        default=30 * 24 * 3600, ge=60, description="Lifetime of a refresh token (each rotation starts anew)."
    )
    denylist_fail_closed: bool = Field(
        default=False,
        description="If Redis is unreachable: True answers 503 to every token, False accepts tokens (logged).",
    )
    max_request_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is a 413 before any of it is parsed.",
    )
    rate_limit_enabled: bool = Field(default=True, description="Token-bucket rate limiting per IP and per user.")
    # Per IP is generous: many users share an IP behind carrier NAT (and the simulated
    # city drives the API from one host). Per user is the limit that bites.
    rate_limit_ip_capacity: int = Field(default=1000, ge=1, description="Burst size of the per-IP bucket.")
    rate_limit_ip_refill_per_second: float = Field(
        default=200.0, gt=0, description="Sustained requests per second per IP."
    )
    rate_limit_user_capacity: int = Field(default=120, ge=1, description="Burst size of the per-user bucket.")
    rate_limit_user_refill_per_second: float = Field(
        default=20.0, gt=0, description="Sustained requests per second per user (token subject)."
    )
    rate_limit_auth_capacity: int = Field(
        default=20, ge=1, description="Burst of login/register/refresh calls per IP (each login costs an Argon2 hash)."
    )
    rate_limit_auth_refill_per_second: float = Field(
        default=1.0, gt=0, description="Sustained login/register/refresh calls per second per IP."
    )
    redis_timeout_seconds: float = Field(
        default=0.25, gt=0, description="Bound on each Redis call of the gateway, so an outage fails fast."
    )
    log_level: str = Field(default="INFO", description="Level of the JSON logs (DEBUG, INFO, WARNING, ...).")
    # --- order pricing (docs/serving.md, Pricing) ---
    order_pricing: Literal["client", "catalog"] = Field(
        default="catalog",
        description=(
            "catalog: the server prices from the menu (the only safe mode for real customers); "
            "client: unit prices and delivery fee as sent, for the walking-skeleton demo and load tools "
            "that order invented items."
        ),
    )
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
    cart_ttl_seconds: int = Field(
        default=2 * 24 * 3600, ge=60, description="An untouched cart is forgotten after this (each write renews it)."
    )
    # --- restaurants and search (docs/restaurants-and-search.md) ---
    restaurant_cache_ttl_seconds: int = Field(
        default=300,
        ge=1,
        description="Safety-net TTL of cached restaurants and menus; change events invalidate them first.",
    )
    # --- payments (docs/payments.md) ---
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
    # --- order saga (docs/saga.md) ---
    order_accept_timeout_seconds: int = Field(
        default=600, ge=1, description="A PENDING order not accepted within this is cancelled (accept_timeout)."
    )
    accept_timeout_sweep_interval_seconds: float = Field(
        default=15.0, gt=0, description="Pause between two sweeps for accept timeouts."
    )
