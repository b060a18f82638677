"""The identity use cases' refusals as problem details: the one place that gives them an
HTTP status (the 422s of malformed input aside, which the routers and schemas raise)."""

from __future__ import annotations

import uuid
from typing import Any

from serving.identity.use_cases import errors
from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import CONFLICT, PROBLEM_RESPONSES, ProblemError

# What the identity routes document, on both routers.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: PROBLEM_RESPONSES[401],
    503: PROBLEM_RESPONSES[401],
}
LOGIN_LOCKED = "urn:tiffin:problem:login-locked"


def conflict(duplicate: errors.DuplicateField) -> ProblemError:
    return ProblemError(
        409,
        f"This {duplicate.field} is already registered.",
        errors=[FieldError(duplicate.field, "already registered")],
        problem_type=CONFLICT,
    )


def login_locked(locked: errors.AccountLocked, field: str) -> ProblemError:
    """``field``: the one the login named the account by (``email`` or ``phone``)."""
    return ProblemError(
        429,
        f"Too many failed logins for this account; retry in {locked.retry_after_seconds} s.",
        errors=[FieldError(field, "too many failed logins; temporarily locked")],
        problem_type=LOGIN_LOCKED,
        headers={"Retry-After": str(locked.retry_after_seconds)},
    )


def wrong_credentials() -> ProblemError:
    # One answer for "no such user" and "wrong password": accounts do not leak.
    return ProblemError(401, "The credentials are wrong.", errors=[FieldError("password", "wrong credentials")])


def invalid_refresh_token() -> ProblemError:
    return ProblemError(
        401,
        "The refresh token is invalid, expired or revoked; log in again.",
        errors=[FieldError("refresh_token", "invalid, expired or revoked")],
    )


def logout_unavailable() -> ProblemError:
    return ProblemError(503, "Logout is unavailable right now; retry shortly.", headers={"Retry-After": "5"})


def no_such_caller() -> ProblemError:
    """The caller's own profile is gone (or its token names no user)."""
    return ProblemError(404, "No such user.")


def no_user(user_id: uuid.UUID) -> ProblemError:
    return ProblemError(404, f"No user {user_id} was found.")


def no_address(address_id: uuid.UUID) -> ProblemError:
    # Same answer for another user's address and a missing one: ids do not leak.
    return ProblemError(404, f"No address {address_id} was found.")
