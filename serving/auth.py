"""Minimal bearer-token auth: HS256 JWTs carrying ``sub`` and ``role``.

This is the walking skeleton's auth; a later issue adds refresh tokens, login and
fine-grained permissions behind the same ``current_principal`` dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from serving.field_errors import FieldError
from serving.problems import ProblemError
from serving.settings import ServingSettings

ALGORITHM = "HS256"


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    RESTAURANT = "RESTAURANT"
    COURIER = "COURIER"
    ADMIN = "ADMIN"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and role."""

    subject: str
    role: Role


class InvalidToken(Exception):
    pass


def issue_access_token(
    subject: str,
    role: Role | str,
    settings: ServingSettings,
    *,
    now: datetime | None = None,
) -> str:
    """Mint a signed access token (for tests, demos and the simulation)."""
    issued_at = now or datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": Role(role).value,
        "iat": issued_at,
        "exp": issued_at + timedelta(seconds=settings.access_token_ttl_seconds),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def decode_access_token(token: str, settings: ServingSettings) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],  # never trust the token's own "alg" header
            options={"require": ["exp", "sub", "role"]},
        )
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("sub must be a non-empty string")
    return Principal(subject=subject, role=role)


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
    """FastAPI dependency: the authenticated caller, or a 401 problem."""
    if credentials is None:
        raise _unauthorized("A bearer access token is required.")
    settings: ServingSettings = request.app.state.settings
    try:
        return decode_access_token(credentials.credentials, settings)
    except InvalidToken:
        # The reason (expired, bad signature, ...) is not echoed: it helps attackers
        # more than clients, who only need to fetch a new token.
        raise _unauthorized("The access token is invalid or expired.") from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise ProblemError(403, f"This action needs one of the roles: {allowed}.")


def principal_with_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency: the caller, who must hold one of ``roles`` (else 403).

    As a dependency it runs before the body is validated, so a caller without the
    role learns nothing about what a valid body looks like.
    """

    def dependency(principal: CurrentPrincipal) -> Principal:
        require_role(principal, *roles)
        return principal

    return dependency


CustomerPrincipal = Annotated[Principal, Depends(principal_with_role(Role.CUSTOMER))]
