"""Settings every serving process shares: where the database, Kafka and Redis are, how
tokens are signed, the gateway's limits. Services add their own (``serving/<service>/settings.py``);
the root ``serving.settings.ServingSettings`` nests them.

Every field is read from ``TIFFIN_<FIELD>``; reading settings never opens a connection.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The secret this repository once shipped as the default. Anyone who reads the
# repository can mint tokens with it, so it is refused everywhere: a sentinel, never a
# key. Local stacks get a random secret of their own (ops/stack/jwt_secret.py).
DEV_JWT_SECRET = "tiffin-dev-secret-change-me-in-production-0123456789"

Environment = Literal["local", "staging", "prod"]


class KernelSettings(BaseSettings):
    """Everything the kernel (engines, auth, gateway, relay, consumers) needs."""

    model_config = SettingsConfigDict(env_prefix="TIFFIN_", extra="forbid")

    # TIFFIN_ENV is the one switch of the whole platform (Dagster reads it too).
    environment: Environment = Field(
        default="local",
        validation_alias=AliasChoices("environment", "TIFFIN_ENV"),
        description="local (a laptop or CI; development conveniences allowed), staging or prod.",
    )
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
    jwt_secret: str | None = Field(
        default=None,
        min_length=32,
        description=(
            "HS256 key that signs access tokens. No default: required outside local; in local "
            "the CLI passes the stack's own (<stack>/jwt-secret), and only token signing and "
            "checking need it."
        ),
    )
    access_token_ttl_seconds: int = Field(
        default=900, ge=1, description="Lifetime of tokens minted by issue_access_token."
    )
    outbox_batch_size: int = Field(
        default=500, ge=1, description="Outbox rows the relay publishes per transaction."
    )
    outbox_poll_interval_seconds: float = Field(
        default=0.5, gt=0, description="Relay pause when the outbox is empty."
    )
    kafka_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        description="Upper bound of one Kafka publish (connect, metadata, ack): an outage fails fast.",
    )
    kafka_producer_batch_bytes: int = Field(
        default=512 * 1024,
        gt=0,
        le=1_000_000,
        description="Largest record batch per partition of the relay's producer (the broker takes up to ~1 MB).",
    )
    kafka_producer_max_in_flight: int = Field(
        default=5, ge=1, le=5, description="Produce requests in flight per connection (idempotent: up to 5 keep order)."
    )
    kafka_producer_linger_ms: int = Field(
        default=5, ge=0, description="How long the relay's producer waits to fill a batch."
    )
    kafka_producer_compression: Literal["none", "gzip"] = Field(
        default="none", description="Compression of the relay's record batches."
    )
    consumer_max_poll_records: int = Field(
        default=500, ge=1, le=5000, description="Records a consumer polls at once and applies in one transaction."
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:56379/0",
        description="Redis for the access-token denylist and rate limiting; connected on first use.",
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
    api_docs: bool | None = Field(
        default=None,
        description="Serve /docs, /redoc and /openapi.json; unset: only in environment=local.",
    )

    @property
    def api_docs_served(self) -> bool:
        # A public schema is a map of every endpoint and field for whoever probes a
        # deployment; outside a laptop it is opt-in.
        return self.api_docs if self.api_docs is not None else self.environment == "local"

    @model_validator(mode="after")
    def _a_secret_of_ones_own(self) -> KernelSettings:
        if self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError(
                "TIFFIN_JWT_SECRET is the public development secret from this repository; set a secret "
                "of your own (`tiffin stack up` keeps a random one in <stack>/jwt-secret)"
            )
        # Tools that never touch tokens (migrations, seeds, operator commands) run
        # locally without one; a deployment must say which key it trusts.
        if self.jwt_secret is None and self.environment != "local":
            raise ValueError(
                f"TIFFIN_JWT_SECRET is not set; environment={self.environment} has no development secret, "
                f"so set a secret of your own (at least 32 characters)"
            )
        return self
