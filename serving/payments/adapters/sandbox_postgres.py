"""The sandbox provider's memory in PostgreSQL (schema ``sandbox_gateway``), shared by
every process of a deployment, as a real provider's would be.

A real provider sits outside our database transaction: a charge it made stays made
when our transaction rolls back, and a retry with the same key finds it. So this
store has its own engine (its own pool) and runs each call in its own short
transaction; it never joins the payments service's. Its own pool also means a
payment holding one of the API's connections while it calls the gateway can never
wait for a second connection from that same pool.

Concurrency, across processes:

- a charge is one row per idempotency key (primary key); a concurrent duplicate's
  ``INSERT … ON CONFLICT DO NOTHING`` waits for the first, then reads its row;
- a refund first counts its call, which row-locks the key's ``attempts`` row until
  commit, so refunds with one key run one after another and the second finds the
  first; it then locks the charge ``FOR UPDATE``, so refunds of one charge queue and
  each sees what the others refunded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from serving.kernel.db import LazyEngine
from serving.payments.adapters.sandbox import REFUND_EXCEEDS_CHARGE, UNKNOWN_CHARGE, RefundRefusal
from serving.payments.adapters.sandbox_tables import attempts, charges, refunds
from serving.payments.domain.gateway import Charge, GatewayRefund, GatewayUnavailable, RefundRequest

_CHARGE_COLUMNS = (
    charges.c.reference,
    charges.c.card_token,
    charges.c.card_last4,
    charges.c.card_brand,
    charges.c.amount_minor,
)


def _charge(row: sa.Row[tuple[str, str, str, str, int]]) -> Charge:
    return Charge(
        reference=row.reference,
        card_token=row.card_token,
        card_last4=row.card_last4,
        card_brand=row.card_brand,
        amount_minor=row.amount_minor,
    )


def _count_attempt(connection: Connection, idempotency_key: str) -> int:
    statement = (
        pg_insert(attempts)
        .values(idempotency_key=idempotency_key, attempt_count=1)
        .on_conflict_do_update(
            index_elements=[attempts.c.idempotency_key],
            set_={"attempt_count": attempts.c.attempt_count + 1, "last_attempt_at": sa.func.now()},
        )
        .returning(attempts.c.attempt_count)
    )
    return int(connection.execute(statement).scalar_one())


def _find_charge(connection: Connection, idempotency_key: str) -> Charge | None:
    row = connection.execute(sa.select(*_CHARGE_COLUMNS).where(charges.c.idempotency_key == idempotency_key)).first()
    return _charge(row) if row is not None else None


class PostgresSandboxStore:
    """Implements SandboxStore. Creating it opens nothing; the engine connects on first use."""

    def __init__(self, database_url: str) -> None:
        self._database = LazyEngine(database_url)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        # The provider's storage being down is, to the caller, the provider being
        # down: a transient failure, retried with the same key, then a 503.
        try:
            with self._database.engine.begin() as connection:
                yield connection
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
            raise GatewayUnavailable(f"the sandbox gateway's storage is unavailable: {type(exc).__name__}") from exc

    def begin_charge(self, idempotency_key: str) -> tuple[int, Charge | None]:
        with self._transaction() as connection:
            count = _count_attempt(connection, idempotency_key)
            return count, _find_charge(connection, idempotency_key)

    def keep_charge(self, idempotency_key: str, charge: Charge, currency: str) -> Charge:
        statement = (
            pg_insert(charges)
            .values(
                idempotency_key=idempotency_key,
                reference=charge.reference,
                card_token=charge.card_token,
                card_last4=charge.card_last4,
                card_brand=charge.card_brand,
                amount_minor=charge.amount_minor,
                currency=currency,
                refunded_minor=0,
            )
            .on_conflict_do_nothing(index_elements=[charges.c.idempotency_key])
            .returning(*_CHARGE_COLUMNS)
        )
        with self._transaction() as connection:
            inserted = connection.execute(statement).first()
            if inserted is not None:
                return _charge(inserted)
            # The insert waited for the concurrent duplicate to commit; a new statement sees its row.
            kept = _find_charge(connection, idempotency_key)
        if kept is None:
            raise AssertionError(f"sandbox charge {idempotency_key!r} conflicted but is not there")
        return kept

    def refund(self, request: RefundRequest, reference: str) -> GatewayRefund | RefundRefusal:
        with self._transaction() as connection:
            _count_attempt(connection, request.idempotency_key)
            known = connection.execute(
                sa.select(refunds.c.reference, refunds.c.amount_minor).where(
                    refunds.c.idempotency_key == request.idempotency_key
                )
            ).first()
            if known is not None:
                return GatewayRefund(reference=known.reference, amount_minor=known.amount_minor)
            charge = connection.execute(
                sa.select(charges.c.amount_minor, charges.c.refunded_minor)
                .where(charges.c.reference == request.charge_reference)
                .with_for_update()
            ).first()
            if charge is None:
                return RefundRefusal(UNKNOWN_CHARGE)
            if request.amount_minor <= 0 or charge.refunded_minor + request.amount_minor > charge.amount_minor:
                return RefundRefusal(REFUND_EXCEEDS_CHARGE)
            connection.execute(
                sa.insert(refunds).values(
                    idempotency_key=request.idempotency_key,
                    reference=reference,
                    charge_reference=request.charge_reference,
                    amount_minor=request.amount_minor,
                )
            )
            connection.execute(
                sa.update(charges)
                .where(charges.c.reference == request.charge_reference)
                .values(refunded_minor=charges.c.refunded_minor + request.amount_minor)
            )
            return GatewayRefund(reference=reference, amount_minor=request.amount_minor)

    def attempts(self, idempotency_key: str) -> int:
        with self._transaction() as connection:
            count = connection.execute(
                sa.select(attempts.c.attempt_count).where(attempts.c.idempotency_key == idempotency_key)
            ).scalar_one_or_none()
        return int(count or 0)

    def charge_count(self) -> int:
        with self._transaction() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(charges)).scalar_one())

    def find_charge(self, idempotency_key: str) -> Charge | None:
        with self._transaction() as connection:
            return _find_charge(connection, idempotency_key)

    def refunded_minor(self, charge_reference: str) -> int:
        with self._transaction() as connection:
            refunded = connection.execute(
                sa.select(charges.c.refunded_minor).where(charges.c.reference == charge_reference)
            ).scalar_one_or_none()
        return int(refunded or 0)

    def close(self) -> None:
        self._database.dispose()
