"""Operator commands: ``python -m serving.identity create-admin --email … --password …``
and ``python -m serving.identity unlock --email …``.

Admins cannot self-register through the API; create-admin is the only way to make one.
The password can come from ``--password-stdin`` so it stays out of shell history.
``unlock`` lifts the per-account login lock (docs/identity.md) before it expires.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from serving.identity import service
from serving.identity.login_lockout import LoginLockout, login_identifier
from serving.identity.schemas import RegisterRequest
from serving.kernel.db import create_engine
from serving.kernel.gateway.json_logging import configure_logging
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.migrations.registry import migrate
from serving.settings import ServingSettings


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
    create.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    unlock = commands.add_parser("unlock", help="lift an account's login lock (TIFFIN_REDIS_URL, TIFFIN_SERVICE_NAME)")
    who = unlock.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = ServingSettings()
    configure_logging(settings.log_level)
    if args.command == "unlock":
        return _unlock(settings, email=args.email, phone=args.phone)
    return _create_admin(parser, args, settings)


def _unlock(settings: ServingSettings, *, email: str | None, phone: str | None) -> int:
    redis = LazyRedis(settings.redis_url, timeout_seconds=5)
    lockout = LoginLockout(redis, settings.identity, settings.service_name)
    try:
        was_locked = lockout.unlock(login_identifier(email, phone))
    except RedisUnavailable as error:
        sys.stderr.write(f"cannot reach Redis: {error}\n")
        return 1
    finally:
        redis.close()
    sys.stdout.write("unlocked\n" if was_locked else "was not locked (any failed attempts are forgotten)\n")
    return 0


def _create_admin(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: ServingSettings) -> int:
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
    if args.migrate:
        migrate(url)
    engine = create_engine(url)
    try:
        user = service.create_admin(
            engine, email=checked.email, password=password, name=checked.name, phone=checked.phone
        )
    except service.DuplicateField as duplicate:
        sys.stderr.write(f"{duplicate.field} is already registered\n")
        return 1
    finally:
        engine.dispose()
    sys.stdout.write(f"{user.user_id}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
