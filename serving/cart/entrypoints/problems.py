"""The cart's problems: the shapes its routes answer refusals with."""

from __future__ import annotations

from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import CONFLICT, ProblemError


def unprocessable(field_name: str, message: str) -> ProblemError:
    return ProblemError(422, message, errors=[FieldError(field_name, message)])


def cart_conflict(message: str) -> ProblemError:
    return ProblemError(409, message, errors=[FieldError("cart", message)], problem_type=CONFLICT)


def unavailable() -> ProblemError:
    return ProblemError(503, "Carts are unavailable right now; retry shortly.", headers={"Retry-After": "5"})
