"""The router's one table from the service's typed refusals to problem documents."""

from __future__ import annotations

from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import CONFLICT
from serving.payments import errors
from serving.payments.entrypoints.problems import GATEWAY_PROBLEM, PROBLEMS, problem_for


def _subclasses(kind: type[errors.PaymentError]) -> set[type[errors.PaymentError]]:
    found = set(kind.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found)) if found else found


def test_every_refusal_of_the_service_has_exactly_oneproblem_for() -> None:
    assert set(PROBLEMS) == _subclasses(errors.PaymentError)
    assert len({kind.code for kind in PROBLEMS}) == len(PROBLEMS)


def test_the_problem_keeps_the_refusals_detail_and_fields() -> None:
    refused = errors.OrderNotPayable("The order is PREPARING.", [FieldError("order_id", "The order is PREPARING.")])
    problem = problem_for(refused)
    assert (problem.status, problem.problem_type, problem.detail) == (409, CONFLICT, "The order is PREPARING.")
    assert problem.errors == (FieldError("order_id", "The order is PREPARING."),)
    unavailable = problem_for(errors.GatewayStillUnavailable("down"))
    assert (unavailable.status, unavailable.problem_type, unavailable.errors) == (503, GATEWAY_PROBLEM, ())
    assert problem_for(errors.UnknownOrder("No such order.")).problem_type == "urn:tiffin:problem:not-found"
