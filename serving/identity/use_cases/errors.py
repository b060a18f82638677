"""The identity use cases' refusals by type. None carries an HTTP status: the routers
map them (``entrypoints.problems``), the operator commands print them (``entrypoints.cli``)."""

from __future__ import annotations


class DuplicateField(Exception):
    """The email or phone is another account's."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is already registered")
        self.field = field


class WrongCredentials(Exception):
    """An unknown user, a wrong password or a suspended account: one refusal for all three."""


class AccountLocked(Exception):
    """Too many failed logins for this email or phone (``adapters.login_lockout``)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"login locked for {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class InvalidRefreshToken(Exception):
    """Unknown, expired, revoked or reused: the client must log in again."""


class NoSuchUser(Exception):
    """The user an operator named does not exist."""
