"""The payments router's dependencies: the service ``create_app`` wired once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from serving.payments.service import Payments


def payments_service(request: Request) -> Payments:
    service: Payments = request.app.state.payments.service
    return service


PaymentsService = Annotated[Payments, Depends(payments_service)]
