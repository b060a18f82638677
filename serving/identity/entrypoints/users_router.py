"""HTTP: /users — the caller's profile and addresses, and any user for admins (mounted
under /api/v1). ``/me…`` is declared before ``/{user_id}``, which it would otherwise match."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from serving.identity.entrypoints import problems
from serving.identity.entrypoints.presenters import address_out, user_out
from serving.identity.entrypoints.schemas import AddressIn, AddressOut, AddressPatch, UpdateMeRequest, UserOut
from serving.identity.use_cases import accounts, addresses, errors
from serving.kernel.auth import CurrentPrincipal, Principal, Role
from serving.kernel.http.deps import Database

router = APIRouter(prefix="/users", tags=["users"], responses=problems.RESPONSES)


def _caller_id(principal: Principal) -> uuid.UUID:
    """The caller's user id; a token whose subject is not a user id has no profile here."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise problems.no_such_caller() from None


@router.get("/me", response_model=UserOut, summary="The caller's profile")
def get_me(principal: CurrentPrincipal, engine: Database) -> UserOut:
    user = accounts.get_user(engine, _caller_id(principal))
    if user is None:
        raise problems.no_such_caller()
    return user_out(user)


@router.patch("/me", response_model=UserOut, summary="Change the caller's name, email or phone")
def patch_me(body: UpdateMeRequest, principal: CurrentPrincipal, engine: Database) -> UserOut:
    try:
        user = accounts.update_user(engine, _caller_id(principal), body.model_dump(exclude_unset=True))
    except errors.DuplicateField as duplicate:
        raise problems.conflict(duplicate) from None
    if user is None:
        raise problems.no_such_caller()
    return user_out(user)


@router.get("/me/addresses", response_model=list[AddressOut], summary="The caller's addresses")
def list_addresses(principal: CurrentPrincipal, engine: Database) -> list[AddressOut]:
    return [address_out(a) for a in addresses.list_addresses(engine, _caller_id(principal))]


@router.post("/me/addresses", status_code=status.HTTP_201_CREATED, response_model=AddressOut, summary="Add an address")
def add_address(body: AddressIn, principal: CurrentPrincipal, engine: Database, response: Response) -> AddressOut:
    address = addresses.add_address(engine, _caller_id(principal), body.model_dump())
    if address is None:
        raise problems.no_such_caller()
    response.headers["Location"] = f"/api/v1/users/me/addresses/{address.address_id}"
    return address_out(address)


@router.get("/me/addresses/{address_id}", response_model=AddressOut, summary="One of the caller's addresses")
def get_address(address_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> AddressOut:
    address = addresses.get_address(engine, _caller_id(principal), address_id)
    if address is None:
        raise problems.no_address(address_id)
    return address_out(address)


@router.patch("/me/addresses/{address_id}", response_model=AddressOut, summary="Change an address")
def patch_address(
    address_id: uuid.UUID, body: AddressPatch, principal: CurrentPrincipal, engine: Database
) -> AddressOut:
    address = addresses.change_address(engine, _caller_id(principal), address_id, body.model_dump(exclude_unset=True))
    if address is None:
        raise problems.no_address(address_id)
    return address_out(address)


@router.delete("/me/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an address")
def delete_address(address_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> Response:
    if not addresses.remove_address(engine, _caller_id(principal), address_id):
        raise problems.no_address(address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{user_id}", response_model=UserOut, summary="Any user, for admins")
def get_user(user_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> UserOut:
    # Not a 403 for non-admins: 404 tells nobody which user ids exist.
    user = accounts.get_user(engine, user_id) if principal.role is Role.ADMIN else None
    if user is None:
        raise problems.no_user(user_id)
    return user_out(user)
