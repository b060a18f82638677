"""Settings of the serving layer, read from TIFFIN_* environment variables.

Reading settings never opens a connection: engines and producers are created by
the app's lifespan or by the relay when they first need them.
"""

from __future__ import annotations

from pydantic import Field
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
