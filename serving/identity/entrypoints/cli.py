"""Operator commands: ``python -m serving.identity create-admin --email … --password …``,
``unlock``, ``suspend``, ``reinstate`` and ``delete-user`` (``--email …`` or ``--user-id …``).

Admins cannot self-register through the API; create-admin is the only way to make one.
The password can come from ``--password-stdin`` so it stays out of shell history.
``unlock`` lifts the per-account login lock before it expires; ``suspend`` and
``delete-user`` also refuse the user's live access tokens at once (docs/identity.md).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from serving.identity.adapters.login_lockout import LoginLockout, login_identifier
from serving.identity.entrypoints.schemas import RegisterRequest
from serving.identity.settings import IdentitySettings
from serving.identity.use_cases import account_status, accounts, errors
from serving.kernel.db import create_engine
from serving.kernel.gateway.json_logging import configure_logging
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.kernel.settings import KernelSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m serving.identity")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create an ADMIN user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="the password (or use --password-stdin)")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.add_argument("--name", default="Administrator")
    create.add_argument("--phone", default=None)
    create.add_argument("--database-url", default=None, help="default: TIFFIN_DATABASE_URL")
    unlock = commands.add_parser("unlock", help="lift an account's login lock (TIFFIN_REDIS_URL, TIFFIN_SERVICE_NAME)")
    who = unlock.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    for name, about in _STATUS_COMMANDS.items():
        command = commands.add_parser(name, help=about)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--email")
        who.add_argument("--user-id")
        command.add_argument("--database-url", default=None, help="default: TIFFIN_DATABASE_URL")
    return parser


_STATUS_COMMANDS = {
    "suspend": "no login, no refresh, live access tokens refused at once (TIFFIN_REDIS_URL)",
    "reinstate": "lift a suspension",
    "delete-user": "delete a user, their addresses and logins; live access tokens refused at once",
}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = KernelSettings()
    configure_logging(settings.log_level)
    if args.command == "unlock":
        return _unlock(settings, email=args.email, phone=args.phone)
    if args.command in _STATUS_COMMANDS:
        return _change_status(args, settings)
    return _create_admin(parser, args, settings)


def _change_status(args: argparse.Namespace, settings: KernelSettings) -> int:
    engine = create_engine(args.database_url or settings.database_url)
    redis = LazyRedis(settings.redis_url, timeout_seconds=5)
    ttl = settings.access_token_ttl_seconds
    try:
        user_id = account_status.find_user_id(engine, email=args.email, user_id=args.user_id)
        if args.command == "suspend":
            account_status.suspend(engine, redis, user_id, ttl)
        elif args.command == "reinstate":
            account_status.reinstate(engine, redis, user_id)
        else:
            account_status.delete(engine, redis, user_id, ttl)
    except errors.NoSuchUser as missing:
        sys.stderr.write(f"no such user: {missing}\n")
        return 1
    except RedisUnavailable as error:
        again = "" if args.command == "delete-user" else "; run it again when Redis is back"
        sys.stderr.write(
            f"{args.command} {user_id} is done in PostgreSQL, but Redis is unreachable ({error}): "
            f"access tokens already issued stay valid until they expire (at most {ttl} s){again}\n"
        )
        return 1
    finally:
        engine.dispose()
        redis.close()
    sys.stdout.write(f"{args.command}: {user_id}\n")
    return 0


def _unlock(settings: KernelSettings, *, email: str | None, phone: str | None) -> int:
    redis = LazyRedis(settings.redis_url, timeout_seconds=5)
    lockout = LoginLockout(redis, IdentitySettings(), settings.service_name)
    try:
        was_locked = lockout.unlock(login_identifier(email, phone))
    except RedisUnavailable as error:
        sys.stderr.write(f"cannot reach Redis: {error}\n")
        return 1
    finally:
        redis.close()
    sys.stdout.write("unlocked\n" if was_locked else "was not locked (any failed attempts are forgotten)\n")
    return 0


def _create_admin(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: KernelSettings) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else args.password
    if not password:
        parser.error("give --password or --password-stdin")
    try:
        # The same rules as self-registration (the role check aside).
        checked = RegisterRequest(email=args.email, phone=args.phone, password=password, name=args.name)
    except ValidationError as exc:
        for error in exc.errors():
            sys.stderr.write(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}\n")
        return 2
    url = args.database_url or settings.database_url
    engine = create_engine(url)
    try:
        user = accounts.create_admin(
            engine, email=checked.email, password=password, name=checked.name, phone=checked.phone
        )
    except errors.DuplicateField as duplicate:
        sys.stderr.write(f"{duplicate.field} is already registered\n")
        return 1
    finally:
        engine.dispose()
    sys.stdout.write(f"{user.user_id}\n")
    return 0

