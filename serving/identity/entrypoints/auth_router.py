"""HTTP: /auth — register, log in, refresh, log out (mounted under /api/v1)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from serving.identity.entrypoints import problems
from serving.identity.entrypoints.deps import Identity, Lockout
from serving.identity.entrypoints.presenters import token_pair, user_out
from serving.identity.entrypoints.schemas import LoginRequest, RefreshRequest, RegisterRequest, TokenPair, UserOut
from serving.identity.use_cases import accounts, errors, sessions
from serving.kernel.auth import CurrentPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database, GatewayRedis, Settings
from serving.kernel.http.problems import ProblemError
from serving.kernel.redis import RedisUnavailable

router = APIRouter(prefix="/auth", tags=["auth"], responses=problems.RESPONSES)
# Credentials and tokens must never sit in a cache (RFC 6749 §5.1), whatever the
# gateway's default becomes.
NO_STORE = "no-store"


@router.post(
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
        raise problems.conflict(duplicate) from None
    response.headers["Location"] = "/api/v1/users/me"
    return user_out(user)


@router.post("/login", response_model=TokenPair, summary="Exchange email or phone and password for tokens")
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
        raise problems.login_locked(locked, "email" if body.email is not None else "phone") from None
    except errors.WrongCredentials:
        raise problems.wrong_credentials() from None
    return token_pair(session)


@router.post("/refresh", response_model=TokenPair, summary="Rotate a refresh token for a new token pair")
def refresh(
    body: RefreshRequest, engine: Database, settings: Settings, identity: Identity, response: Response
) -> TokenPair:
    response.headers["Cache-Control"] = NO_STORE
    try:
        session = sessions.refresh(engine, body.refresh_token, settings, identity)
    except errors.InvalidRefreshToken:
        raise problems.invalid_refresh_token() from None
    return token_pair(session)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this login: refresh family and access token"
)
def logout(principal: CurrentPrincipal, engine: Database, redis: GatewayRedis) -> Response:
    try:
        sessions.log_out(engine, redis, principal)
    except RedisUnavailable:
        raise problems.logout_unavailable() from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
