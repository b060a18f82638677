"""Request and response bodies of the reviews API (unknown fields rejected).

A review is shown without its author; only the author sees it as ``mine`` with its
order id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from serving.kernel.auth import Principal
from serving.restaurants.adapters.tables import REVIEW_COMMENT_MAX_LENGTH
from serving.restaurants.domain.reviews import Review, is_author

# Line breaks and tabs are fine in a review; other control characters are not.
ReviewComment = Annotated[
    str, Field(max_length=REVIEW_COMMENT_MAX_LENGTH, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
]


class ReviewCreate(BaseModel):
    """The reviewer is the caller (the token's subject), never a body field."""

    model_config = ConfigDict(extra="forbid")

    order_id: uuid.UUID = Field(description="A delivered order of yours from this restaurant; one review per order.")
    rating: Annotated[int, Field(strict=True, ge=1, le=5, description="Stars, 1 to 5.")]
    comment: ReviewComment | None = Field(
        default=None, description="Optional; blank is the same as none.", examples=["Crisp dosa, hot sambar."]
    )

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        stripped = None if value is None else value.strip()
        return stripped or None


class ReviewOut(BaseModel):
    """A review as any signed-in user sees it: who wrote it is not shown, except to its author."""

    review_id: uuid.UUID
    restaurant_id: uuid.UUID
    rating: int
    comment: str | None
    created_at: AwareDatetime
    mine: bool = Field(description="True on the caller's own review.")
    order_id: uuid.UUID | None = Field(description="The reviewed order; only on the caller's own review, else null.")

    @classmethod
    def of(cls, review: Review, viewer: Principal) -> ReviewOut:
        mine = is_author(review, viewer)
        return cls(
            review_id=review.review_id,
            restaurant_id=review.restaurant_id,
            rating=review.rating,
            comment=review.comment,
            created_at=review.created_at,
            mine=mine,
            order_id=review.order_id if mine else None,
        )


class ReviewPage(BaseModel):
    items: list[ReviewOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for older reviews; null on the last page.")
