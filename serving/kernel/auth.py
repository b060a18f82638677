"""Bearer-token auth: HS256 access JWTs carrying ``sub``, ``role``, ``jti`` and ``exp``.

Login, refresh tokens and logout live in ``serving.identity``; this module only
mints and checks access tokens. Logout puts a token's ``jti`` on a Redis denylist
until its ``exp``; suspending or deleting a user puts its subject there for as long as
an access token lives; ``current_principal`` rejects denylisted tokens. When Redis is
unreachable the check fails open by default (``denylist_fail_closed``): access
tokens live 15 minutes and the session's refresh family is revoked durably in
PostgreSQL, so the exposure is bounded, while failing closed would turn a Redis
blip into an outage of every authenticated endpoint. docs/identity.md has the details.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from serving.kernel.clock import utc_now
from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import ProblemError
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.kernel.settings import KernelSettings

log = logging.getLogger(__name__)

ALGORITHM = "HS256"
DENYLIST_PREFIX = "tiffin:auth:denied-jti:"
DENIED_SUBJECT_PREFIX = "tiffin:auth:denied-sub:"


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    RESTAURANT = "RESTAURANT"
    COURIER = "COURIER"
    ADMIN = "ADMIN"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and role.

    ``token_id`` (the ``jti``), ``expires_at`` and ``session_id`` (the refresh
    family a login token belongs to) describe the token, not the caller, so they do
    not take part in equality.
    """

    subject: str
    role: Role
    token_id: str | None = field(default=None, compare=False)
    expires_at: datetime | None = field(default=None, compare=False)
    session_id: str | None = field(default=None, compare=False)


class InvalidToken(Exception):
    pass


class MissingJwtSecret(RuntimeError):
    """No key to sign or check tokens with: a configuration error, not a bad token."""

    def __init__(self) -> None:
        super().__init__(
            "TIFFIN_JWT_SECRET is not set. `tiffin stack up` keeps a random secret in "
            "<stack>/jwt-secret and the tiffin commands pass it to what they start; "
            "elsewhere set TIFFIN_JWT_SECRET (at least 32 characters)."
        )


def signing_key(settings: KernelSettings) -> str:
    """The HS256 key. Raises MissingJwtSecret (create_app calls it, so a server without one never starts)."""
    if settings.jwt_secret is None:
        raise MissingJwtSecret
    return settings.jwt_secret


def issue_access_token(
    subject: str,
    role: Role | str,
    settings: KernelSettings,
    *,
    now: datetime | None = None,
    session_id: str | None = None,
) -> str:
    """Mint a signed access token (login does this; so do tests, demos and the simulation).

    ``session_id`` ties the token to a login's refresh-token family, so logout with
    the access token alone can revoke the whole session.
    """
    issued_at = now or utc_now()
    claims: dict[str, object] = {
        "sub": subject,
        "role": Role(role).value,
        "jti": uuid.uuid4().hex,
        "iat": issued_at,
        "exp": issued_at + timedelta(seconds=settings.access_token_ttl_seconds),
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM)


def decode_access_token(token: str, settings: KernelSettings) -> Principal:
    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],  # never trust the token's own "alg" header
            # Without a jti a token could not be revoked, so it is not accepted.
            options={"require": ["exp", "sub", "role", "jti"]},
        )
        role = Role(claims["role"])
        # PyJWT accepts any number as exp; one beyond datetime's range (year 9999) is
        # no token this service minted, and must not become an OverflowError.
        expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.PyJWTError, ValueError, OverflowError, OSError) as exc:
        raise InvalidToken(str(exc)) from exc
    subject, token_id, session_id = claims["sub"], claims["jti"], claims.get("sid")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("sub must be a non-empty string")
    if not isinstance(token_id, str) or not token_id or len(token_id) > 64:
        raise InvalidToken("jti must be a short non-empty string")
    if session_id is not None and not isinstance(session_id, str):
        raise InvalidToken("sid must be a string")
    return Principal(
        subject=subject,
        role=role,
        token_id=token_id,
        expires_at=expires_at,
        session_id=session_id,
    )


def deny_token(redis: LazyRedis, principal: Principal, *, now: datetime | None = None) -> None:
    """Put the token's jti on the denylist until the token would have expired anyway.

    Raises RedisUnavailable: logout must not claim success it did not achieve.
    """
    if principal.token_id is None or principal.expires_at is None:
        return
    remaining = int((principal.expires_at - (now or utc_now())).total_seconds()) + 1
    if remaining <= 0:
        return  # already expired: nothing left to deny
    key = DENYLIST_PREFIX + principal.token_id
    redis.call("denylist write", lambda client: client.set(key, "1", ex=remaining))


def deny_subject(redis: LazyRedis, subject: str, token_ttl_seconds: int) -> None:
    """Refuse every access token of ``subject`` issued until now.

    The entry lives as long as an access token does (plus a margin): by then every
    token issued before it has expired, and the user's status in the database stops
    new ones (login and refresh check it). Raises RedisUnavailable.
    """
    key = DENIED_SUBJECT_PREFIX + subject
    redis.call("subject denylist write", lambda client: client.set(key, "1", ex=token_ttl_seconds + 1))


def allow_subject(redis: LazyRedis, subject: str) -> None:
    """Lift ``deny_subject`` (a reinstated user). Raises RedisUnavailable."""
    redis.call("subject denylist delete", lambda client: client.delete(DENIED_SUBJECT_PREFIX + subject))


def token_is_denied(redis: LazyRedis, token_id: str, subject: str | None = None) -> bool:
    """The token (logout) or its subject (suspended, deleted) is denied; one round trip.

    Raises RedisUnavailable when Redis cannot say.
    """
    keys = [DENYLIST_PREFIX + token_id] + ([DENIED_SUBJECT_PREFIX + subject] if subject is not None else [])
    return bool(redis.call("denylist check", lambda client: client.exists(*keys)))


_bearer = HTTPBearer(auto_error=False, description="An access token: `Bearer <JWT>`.")


def _unauthorized(message: str) -> ProblemError:
    return ProblemError(
        401,
        message,
        errors=[FieldError("Authorization", message)],
        headers={"WWW-Authenticate": 'Bearer realm="tiffin"'},
    )


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the authenticated caller, or a 401 problem.

    A plain ``def``, so FastAPI runs it on the thread pool: the denylist check is a
    blocking Redis call. (The dependencies that do not block are ``async def``.)
    """
    if credentials is None:
        raise _unauthorized("A bearer access token is required.")
    settings: KernelSettings = request.app.state.settings
    try:
        principal = decode_access_token(credentials.credentials, settings)
    except InvalidToken:
        # The reason (expired, bad signature, ...) is not echoed: it helps attackers
        # more than clients, who only need to fetch a new token.
        raise _unauthorized("The access token is invalid or expired.") from None
    redis: LazyRedis | None = getattr(request.app.state, "redis", None)
    if redis is not None and principal.token_id is not None:
        try:
            denied = token_is_denied(redis, principal.token_id, principal.subject)
        except RedisUnavailable:
            if settings.denylist_fail_closed:
                raise ProblemError(
                    503,
                    "Tokens cannot be checked right now; retry shortly.",
                    headers={"Retry-After": "5"},
                ) from None
            log.warning("denylist unavailable; accepting token of %s unchecked", principal.subject)
            denied = False
        if denied:
            raise _unauthorized("The access token is invalid or expired.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise ProblemError(403, f"This action needs one of the roles: {allowed}.")


def principal_with_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the caller, who must hold one of ``roles`` (else 403).

    As a dependency it runs before the body is validated, so a caller without the
    role learns nothing about what a valid body looks like.
    """

    async def dependency(principal: CurrentPrincipal) -> Principal:  # no I/O: no thread-pool hand-off
        require_role(principal, *roles)
        return principal

    return dependency


CustomerPrincipal = Annotated[Principal, Depends(principal_with_role(Role.CUSTOMER))]
