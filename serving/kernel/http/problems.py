"""RFC 9457 problem details: the one error format every serving endpoint answers with.

A problem is JSON with ``type``, ``title``, ``status``, ``detail``, ``instance`` and,
for validation failures, ``errors: [{field, message}]`` naming each offending field
(``lines[0].quantity``), so a client can point at the input it has to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from serving.kernel.field_errors import FieldError

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Problem types are URNs: stable identifiers that need no web server. docs/serving.md
# lists them.
VALIDATION = "urn:tiffin:problem:validation"
NOT_FOUND = "urn:tiffin:problem:not-found"
UNAUTHORIZED = "urn:tiffin:problem:unauthorized"
FORBIDDEN = "urn:tiffin:problem:forbidden"
INTERNAL = "urn:tiffin:problem:internal"
# A 409 is "your request is fine, but the resource is in the wrong state for it".
CONFLICT = "urn:tiffin:problem:conflict"
UNAVAILABLE = "urn:tiffin:problem:unavailable"
# RFC 9110 renamed 422; Python 3.11's http module still has the old phrase.
_TITLES = {422: "Unprocessable Content"}
PAYLOAD_TOO_LARGE = "urn:tiffin:problem:payload-too-large"
_TYPE_BY_STATUS = {
    422: VALIDATION,
    404: NOT_FOUND,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    413: PAYLOAD_TOO_LARGE,
    503: UNAVAILABLE,
}
# A lost database is a moment, not a bug: PostgreSQL restarting or failing over takes
# seconds, and pool_pre_ping replaces the dead connections on the next checkout.
DATABASE_RETRY_AFTER_SECONDS = 2


class FieldErrorOut(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """Schema of every error response, for the OpenAPI document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldErrorOut] = []


class ProblemError(Exception):
    """Raise anywhere below a router to answer with a problem instead of a result."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        problem_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = tuple(errors)
        self.problem_type = problem_type or _TYPE_BY_STATUS.get(status, "about:blank")
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class _ProblemBody:
    status: int
    detail: str
    problem_type: str
    errors: Sequence[FieldError] = field(default_factory=tuple)


# 429 (the gateway's rate limits) and 503 (the token denylist failing closed) can
# answer any authenticated route, so every router documents them.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in (401, 404, 413, 422, 429, 503)
}


CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {409: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}}
FORBIDDEN_RESPONSE: dict[int | str, dict[str, Any]] = {403: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}}


def field_path(location: Iterable[int | str]) -> str:
    """``("body", "lines", 0, "quantity")`` -> ``"lines[0].quantity"``.

    The first element says where the value came from (body, path, query, header);
    a client only needs the name inside it. A problem with the body as a whole (not
    JSON, missing) is reported as the field ``body``.
    """
    parts = list(location)
    source = str(parts.pop(0)) if parts else "body"
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or source


def errors_from_validation(raw_errors: Sequence[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for raw in raw_errors:
        if raw.get("type") == "json_invalid":
            # The location of a JSON syntax error is a character offset, not a field.
            reason = raw.get("ctx", {}).get("error", "invalid JSON")
            errors.append(FieldError("body", f"Malformed JSON: {reason}"))
        else:
            errors.append(FieldError(field_path(raw.get("loc", ())), str(raw.get("msg", ""))))
    return errors


def problem_response(
    request: Request,
    body: _ProblemBody,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    content = {
        "type": body.problem_type,
        "title": _TITLES.get(body.status) or HTTPStatus(body.status).phrase,
        "status": body.status,
        "detail": body.detail,
        "instance": request.url.path,
        "errors": [{"field": e.field, "message": e.message} for e in body.errors],
    }
    return JSONResponse(
        content,
        status_code=body.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request, _ProblemBody(exc.status, exc.detail, exc.problem_type, exc.errors), exc.headers
    )


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = errors_from_validation(exc.errors())
    fields = ", ".join(sorted({e.field for e in errors}))
    detail = f"The request is not valid; fix: {fields}."
    return problem_response(request, _ProblemBody(422, detail, VALIDATION, errors))


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's only 400: a body it could not even decode (e.g. not UTF-8). To a
        # client that is malformed JSON like any other, so it gets the same 422.
        errors = [FieldError("body", "Malformed JSON: the body could not be decoded.")]
        body = _ProblemBody(422, "The request is not valid; fix: body.", VALIDATION, errors)
        return problem_response(request, body)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    # A 413 comes from the gateway's body limit: the body as a whole is the field at fault.
    errors = [FieldError("body", detail)] if status == 413 else []
    body = _ProblemBody(status, detail, _TYPE_BY_STATUS.get(status, "about:blank"), errors)
    return problem_response(request, body, exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log only: internals never reach the client.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = _ProblemBody(500, "The server failed to handle the request.", INTERNAL)
    return problem_response(request, body)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now, rather than that a
    statement is wrong: connection refused or lost (OperationalError, InterfaceError,
    an invalidated connection), the pool's checkout timing out, a disconnect on ping.
    PostgreSQL's transient refusals (shutting down, deadlock, serialization) are
    OperationalErrors too, and are worth a retry as well."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    return False


def _first_line(exc: BaseException) -> str:
    cause = exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None else exc
    return f"{type(cause).__name__}: {str(cause).strip().splitlines()[0] if str(cause).strip() else ''}"


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        return await _on_unexpected(request, exc)
    # One line, no traceback: during an outage every request fails the same way, and
    # the cause is the database's, not the code's.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, _first_line(exc))
    body = _ProblemBody(503, "The database is unavailable right now; retry shortly.", UNAVAILABLE)
    return problem_response(request, body, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    # Mapped once here, at the edge, for every route: services never catch these.
    for database_error in (sa_exc.DBAPIError, sa_exc.TimeoutError, sa_exc.DisconnectionError):
        app.add_exception_handler(database_error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
