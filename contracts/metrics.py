"""Records the streaming jobs publish (not domain events: no envelope)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from contracts.money import MinorUnits


class CityOrderMinute(BaseModel):
    """Orders and gross merchandise value for one city in one event-time minute."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    city: str
    window_start: AwareDatetime
    window_end: AwareDatetime
    order_count: int
    gmv_minor: MinorUnits
