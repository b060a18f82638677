"""The bodies of the orders API's status moves (strict integers, unknown fields rejected)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from serving.orders import domain
from serving.orders.domain import lifecycle

PrepTimeMinutes = Annotated[int, Field(strict=True, ge=lifecycle.MIN_PREP_MINUTES, le=lifecycle.MAX_PREP_MINUTES)]


class AcceptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"prep_time_minutes": 20}]})

    prep_time_minutes: PrepTimeMinutes = Field(description="The kitchen's estimate, 1-180 minutes.")

    def details(self) -> dict[str, object]:
        """What the lifecycle needs of this body."""
        return {"prep_time_minutes": self.prep_time_minutes}


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "out_of_stock"}]})

    reason: lifecycle.RejectionReason

    def details(self) -> dict[str, object]:
        """What the lifecycle needs of this body."""
        return {"rejection_reason": self.reason}


class AdminStatusRequest(BaseModel):
    """An admin drives any move of the lifecycle table (until deliveries do it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "PICKED"}, {"status": "CANCELLED", "reason": "payment_failed"}]},
    )

    status: domain.OrderStatus
    reason: lifecycle.CancelReason | None = Field(default=None, description="Required for CANCELLED only.")
    prep_time_minutes: PrepTimeMinutes | None = Field(default=None, description="Required for ACCEPTED only.")
    rejection_reason: lifecycle.RejectionReason | None = Field(
        default=None, description="For reason restaurant_rejected; defaults to other."
    )
