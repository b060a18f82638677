"""HTTP surface of the identity service (mounted under /api/v1): /auth/* and /users/*."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from serving.identity.adapters.login_lockout import LoginLockout
from serving.identity.domain.accounts import User
from serving.identity.domain.addresses import Address
from serving.identity.entrypoints.schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserOut,
)
from serving.identity.settings import IdentitySettings
from serving.identity.use_cases import accounts, addresses, errors, sessions
from serving.kernel.auth import CurrentPrincipal, Principal, Role
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database, GatewayRedis, Settings
from serving.kernel.http.problems import PROBLEM_RESPONSES, ProblemError
from serving.kernel.redis import RedisUnavailable

_PROBLEMS = {**PROBLEM_RESPONSES, 409: PROBLEM_RESPONSES[401], 503: PROBLEM_RESPONSES[401]}
LOGIN_LOCKED = "urn:tiffin:problem:login-locked"
auth_router = APIRouter(prefix="/auth", tags=["auth"], responses=_PROBLEMS)
users_router = APIRouter(prefix="/users", tags=["users"], responses=_PROBLEMS)
# Credentials and tokens must never sit in a cache (RFC 6749 §5.1), whatever the
# gateway's default becomes.
NO_STORE = "no-store"


def identity_settings(request: Request) -> IdentitySettings:
    identity: IdentitySettings = request.app.state.settings.identity
    return identity


Identity = Annotated[IdentitySettings, Depends(identity_settings)]


def login_lockout(redis: GatewayRedis, settings: Settings, identity: Identity) -> LoginLockout:
    return LoginLockout(redis, identity, settings.service_name)


Lockout = Annotated[LoginLockout, Depends(login_lockout)]


def _user_out(user: User) -> UserOut:
    return UserOut(
        user_id=user.user_id,
        email=user.email,
        phone=user.phone,
        name=user.name,
        role=user.role,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def _address_out(address: Address) -> AddressOut:
    return AddressOut(
        address_id=address.address_id,
        label=address.label,
        line=address.line,
        city=address.city,
        lat=address.lat,
        lon=address.lon,
        is_default=address.is_default,
        created_at=address.created_at,
        updated_at=address.updated_at,
    )


def _conflict(duplicate: errors.DuplicateField) -> ProblemError:
    return ProblemError(
        409,
        f"This {duplicate.field} is already registered.",
        errors=[FieldError(duplicate.field, "already registered")],
        problem_type="urn:tiffin:problem:conflict",
    )


def _token_pair(session: sessions.Session) -> TokenPair:
    return TokenPair(
        access_token=session.access_token,
        expires_in=session.access_expires_in,
        refresh_token=session.refresh_token,
        refresh_expires_in=session.refresh_expires_in,
    )


def _caller_id(principal: Principal) -> uuid.UUID:
    """The caller's user id; a token whose subject is not a user id has no profile here."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise ProblemError(404, "No such user.") from None


# --- /auth ---------------------------------------------------------------------------


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    summary="Create a customer, restaurant-owner or courier account",
)
def register(body: RegisterRequest, engine: Database, response: Response) -> UserOut:
    response.headers["Cache-Control"] = NO_STORE
    try:
        user = accounts.register(
            engine, email=body.email, phone=body.phone, password=body.password, name=body.name, role=body.role
        )
    except errors.DuplicateField as duplicate:
        raise _conflict(duplicate) from None
    response.headers["Location"] = "/api/v1/users/me"
    return _user_out(user)


@auth_router.post("/login", response_model=TokenPair, summary="Exchange email or phone and password for tokens")
def login(
    body: LoginRequest,
    engine: Database,
    lockout: Lockout,
    settings: Settings,
    identity: Identity,
    response: Response,
) -> TokenPair:
    response.headers["Cache-Control"] = NO_STORE
    if (body.email is None) == (body.phone is None):
        message = "Give exactly one of email and phone."
        raise ProblemError(
            422,
            f"The request is not valid; {message}",
            errors=[FieldError("email", message), FieldError("phone", message)],
        )
    try:
        session = sessions.log_in(
            engine,
            lockout,
            email=body.email,
            phone=body.phone,
            password=body.password,
            settings=settings,
            identity=identity,
        )
    except errors.AccountLocked as locked:
        field = "email" if body.email is not None else "phone"
        raise ProblemError(
            429,
            f"Too many failed logins for this account; retry in {locked.retry_after_seconds} s.",
            errors=[FieldError(field, "too many failed logins; temporarily locked")],
            problem_type=LOGIN_LOCKED,
            headers={"Retry-After": str(locked.retry_after_seconds)},
        ) from None
    except errors.WrongCredentials:
        # One answer for "no such user" and "wrong password": accounts do not leak.
        raise ProblemError(
            401, "The credentials are wrong.", errors=[FieldError("password", "wrong credentials")]
        ) from None
    return _token_pair(session)


@auth_router.post("/refresh", response_model=TokenPair, summary="Rotate a refresh token for a new token pair")
def refresh(
    body: RefreshRequest, engine: Database, settings: Settings, identity: Identity, response: Response
) -> TokenPair:
    response.headers["Cache-Control"] = NO_STORE
    try:
        session = sessions.refresh(engine, body.refresh_token, settings, identity)
    except errors.InvalidRefreshToken:
        raise ProblemError(
            401,
            "The refresh token is invalid, expired or revoked; log in again.",
            errors=[FieldError("refresh_token", "invalid, expired or revoked")],
        ) from None
    return _token_pair(session)


@auth_router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this login: refresh family and access token"
)
def logout(principal: CurrentPrincipal, engine: Database, redis: GatewayRedis) -> Response:
    try:
        sessions.log_out(engine, redis, principal)
    except RedisUnavailable:
        raise ProblemError(
            503, "Logout is unavailable right now; retry shortly.", headers={"Retry-After": "5"}
        ) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- /users --------------------------------------------------------------------------


@users_router.get("/me", response_model=UserOut, summary="The caller's profile")
def get_me(principal: CurrentPrincipal, engine: Database) -> UserOut:
    user = accounts.get_user(engine, _caller_id(principal))
    if user is None:
        raise ProblemError(404, "No such user.")
    return _user_out(user)


@users_router.patch("/me", response_model=UserOut, summary="Change the caller's name, email or phone")
def patch_me(body: UpdateMeRequest, principal: CurrentPrincipal, engine: Database) -> UserOut:
    try:
        user = accounts.update_user(engine, _caller_id(principal), body.model_dump(exclude_unset=True))
    except errors.DuplicateField as duplicate:
        raise _conflict(duplicate) from None
    if user is None:
        raise ProblemError(404, "No such user.")
    return _user_out(user)


@users_router.get("/me/addresses", response_model=list[AddressOut], summary="The caller's addresses")
def list_addresses(principal: CurrentPrincipal, engine: Database) -> list[AddressOut]:
    return [_address_out(a) for a in addresses.list_addresses(engine, _caller_id(principal))]


@users_router.post(
    "/me/addresses", status_code=status.HTTP_201_CREATED, response_model=AddressOut, summary="Add an address"
)
def add_address(body: AddressIn, principal: CurrentPrincipal, engine: Database, response: Response) -> AddressOut:
    address = addresses.add_address(engine, _caller_id(principal), body.model_dump())
    if address is None:
        raise ProblemError(404, "No such user.")
    response.headers["Location"] = f"/api/v1/users/me/addresses/{address.address_id}"
    return _address_out(address)


def _no_address(address_id: uuid.UUID) -> ProblemError:
    # Same answer for another user's address and a missing one: ids do not leak.
    return ProblemError(404, f"No address {address_id} was found.")


@users_router.get("/me/addresses/{address_id}", response_model=AddressOut, summary="One of the caller's addresses")
def get_address(address_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> AddressOut:
    address = addresses.get_address(engine, _caller_id(principal), address_id)
    if address is None:
        raise _no_address(address_id)
    return _address_out(address)


@users_router.patch("/me/addresses/{address_id}", response_model=AddressOut, summary="Change an address")
def patch_address(
    address_id: uuid.UUID, body: AddressPatch, principal: CurrentPrincipal, engine: Database
) -> AddressOut:
    address = addresses.change_address(engine, _caller_id(principal), address_id, body.model_dump(exclude_unset=True))
    if address is None:
        raise _no_address(address_id)
    return _address_out(address)


@users_router.delete("/me/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an address")
def delete_address(address_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> Response:
    if not addresses.remove_address(engine, _caller_id(principal), address_id):
        raise _no_address(address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.get("/{user_id}", response_model=UserOut, summary="Any user, for admins")
def get_user(user_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> UserOut:
    # Not a 403 for non-admins: 404 tells nobody which user ids exist.
    user = accounts.get_user(engine, user_id) if principal.role is Role.ADMIN else None
    if user is None:
        raise ProblemError(404, f"No user {user_id} was found.")
    return _user_out(user)
