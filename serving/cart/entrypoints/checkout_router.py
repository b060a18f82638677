"""``POST /cart/checkout``: the cart becomes an order through ``serving.orders.api``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from serving.cart.adapters.store import CartUnavailable, CheckoutInProgress
from serving.cart.checkout import CartCheckedOut, CartEmpty, check_out
from serving.cart.entrypoints.deps import CheckoutPricing, Store
from serving.cart.entrypoints.problems import cart_conflict, unavailable, unprocessable
from serving.cart.entrypoints.schemas import Checkout
from serving.kernel.auth import CustomerPrincipal
from serving.kernel.http import idempotency
from serving.kernel.http.deps import Database
from serving.kernel.http.problems import CONFLICT_RESPONSE, ProblemError
from serving.orders import api as orders_api

router = APIRouter()


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=orders_api.OrderResponse,
    summary="Place the cart as an order, priced from the menu; the cart is emptied",
    description=(
        f"Needs an `Idempotency-Key` ({idempotency.KEY_RULE}). Repeating the call with the same key "
        "answers `200` with the same order (also after the cart was emptied by the first call), header "
        "`Idempotent-Replayed: true` (`false` on the first answer). A cart checks out once: another key "
        "is a `409` while the first checkout runs and after it succeeded."
    ),
    responses={**CONFLICT_RESPONSE, 200: {"model": orders_api.OrderResponse}},
)
def checkout(
    principal: CustomerPrincipal,
    store: Store,
    engine: Database,
    pricing: CheckoutPricing,
    response: Response,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
    body: Checkout | None = None,
) -> orders_api.OrderResponse:
    key = idempotency.checked_key(idempotency_key, required=True)
    assert key is not None  # required: a missing key is a 422
    where = body.delivery_location if body is not None else None
    try:
        placement = check_out(
            store,
            engine,
            principal.subject,
            key,
            pricing=pricing,
            delivery_location=orders_api.Location(where.lat, where.lon) if where is not None else None,
            offer_code=body.offer_code if body is not None else None,
        )
    except CartUnavailable:
        raise unavailable() from None
    except CheckoutInProgress:
        raise cart_conflict("The cart is being checked out by another request.") from None
    except CartCheckedOut as spent:
        raise cart_conflict(str(spent)) from None
    except CartEmpty:
        raise unprocessable("cart", "The cart is empty.") from None
    except orders_api.OrderRejected as rejected:
        # lines[i] is the i-th item of GET /cart.
        raise ProblemError(422, "The cart cannot be ordered as it is.", errors=rejected.errors) from None
    except orders_api.IdempotencyKeyReused:
        raise idempotency.key_reused() from None
    if placement.replayed:
        response.status_code = status.HTTP_200_OK
    idempotency.mark_replayed(response, placement.replayed)
    response.headers["Location"] = f"/api/v1/orders/{placement.order_id}"
    return placement.order
