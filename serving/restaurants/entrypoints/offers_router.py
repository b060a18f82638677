"""HTTP surface of a restaurant's offers (mounted under /api/v1, next to router.py).

Writes follow the restaurant-details rule: the owning RESTAURANT account or an ADMIN;
another owner gets 404 (ids do not leak), customers and couriers 403 from the role
check. Anyone signed in may list the offers a customer can use right now.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from serving.kernel.auth import CurrentPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database
from serving.kernel.http.problems import CONFLICT, CONFLICT_RESPONSE, PROBLEM_RESPONSES, ProblemError
from serving.restaurants.domain.offers import CODE_PATTERN
from serving.restaurants.entrypoints.deps import EditorPrincipal
from serving.restaurants.entrypoints.offer_schemas import OfferCreate, OfferOut
from serving.restaurants.use_cases import offers as offer_service
from serving.restaurants.use_cases.errors import OfferCodeTaken, OfferRuleBroken

router = APIRouter(prefix="/restaurants", tags=["offers"], responses={**PROBLEM_RESPONSES, 403: PROBLEM_RESPONSES[401]})

CodePath = Annotated[str, Path(min_length=1, max_length=32, pattern=CODE_PATTERN, description="Any case.")]


def _no_restaurant(restaurant_id: uuid.UUID) -> ProblemError:
    # Same answer for "does not exist" and "not yours".
    return ProblemError(404, f"No restaurant {restaurant_id} was found.")


@router.post(
    "/{restaurant_id}/offers",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferOut,
    summary="Create a discount code (owner or admin)",
    responses=CONFLICT_RESPONSE,
)
def create_offer(
    restaurant_id: uuid.UUID,
    body: OfferCreate,
    principal: EditorPrincipal,
    engine: Database,
    request: Request,
    response: Response,
) -> OfferOut:
    try:
        offer = offer_service.create_offer(engine, principal, restaurant_id, body)
    except OfferRuleBroken as broken:
        raise ProblemError(422, "The offer breaks an offer rule.", errors=broken.errors) from None
    except OfferCodeTaken:
        message = f"This restaurant already has an offer {body.code} (codes ignore case; deactivated ones count)."
        raise ProblemError(409, message, errors=[FieldError("code", message)], problem_type=CONFLICT) from None
    if offer is None:
        raise _no_restaurant(restaurant_id)
    response.headers["Location"] = f"{request.url.path}/{offer.code}"
    return offer


@router.get(
    "/{restaurant_id}/offers",
    response_model=list[OfferOut],
    summary="The restaurant's offers: all of them for its owner and admins, the usable ones for others",
)
def list_offers(restaurant_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> list[OfferOut]:
    offers = offer_service.list_offers(engine, principal, restaurant_id)
    if offers is None:
        raise _no_restaurant(restaurant_id)
    return offers


@router.delete(
    "/{restaurant_id}/offers/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Deactivate a discount code (owner or admin); orders that used it keep their discount",
)
def deactivate_offer(
    restaurant_id: uuid.UUID, code: CodePath, principal: EditorPrincipal, engine: Database
) -> Response:
    if not offer_service.deactivate_offer(engine, principal, restaurant_id, code):
        raise ProblemError(404, f"No offer {code} was found.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
