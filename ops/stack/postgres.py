"""PostgreSQL 15 from Debian's packages, on a project data folder (initdb + pg_ctl)."""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
from pathlib import Path

import psycopg

from ops.stack.component import Component
from ops.stack.process import StackError, read_pid

PG_BIN = Path(os.environ.get("TIFFIN_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"  # PostgreSQL refuses to run as root


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _traversable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents] if p.exists())


class Postgres(Component):
    name = "postgres"

    @property
    def port(self) -> int:
        return self.config.postgres_port

    @property
    def data_home(self) -> Path:
        """The stack folder, unless the server user cannot reach it (a clone under /root)."""
        home = self.config.root / self.name
        if not _running_as_root() or _traversable_by_others(self.config.root.parent):
            return home
        digest = hashlib.sha256(str(self.config.root).encode()).hexdigest()[:12]
        return Path("/var/lib/tiffin") / digest / self.name

    @property
    def data_dir(self) -> Path:
        return self.data_home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.data_home / "run"

    @property
    def server_log(self) -> Path:
        # Written by the server user, so it lives beside the data; logs/postgres.log links to it.
        return self.data_home / "postgres.log"

    def missing_binaries(self) -> list[str]:
        return [str(PG_BIN / b) for b in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / b).exists()]

    def pid(self) -> int | None:
        from ops.stack.process import pid_alive

        pid = read_pid(self.data_dir / "postmaster.pid")
        return pid if pid_alive(pid) else None

    def _as_server_user(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", SERVER_USER, "--", *args] if _running_as_root() else args

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(self._as_server_user(args), capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"postgres: {' '.join(args[:2])} failed:\n{result.stderr[-2000:]}")

    def _prepare_dirs(self) -> None:
        for path in (self.data_home, self.socket_dir):
            path.mkdir(parents=True, exist_ok=True)
        self.server_log.touch()
        if _running_as_root():
            entry = pwd.getpwnam(SERVER_USER)
            for path in (self.data_home, self.socket_dir, self.server_log):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        link = self.log_path
        if not link.is_symlink() and not link.exists():
            link.symlink_to(self.server_log)

    def _initdb(self) -> None:
        pwfile = self.data_home / "pwfile"
        pwfile.write_text(self.config.postgres_password + "\n")
        if _running_as_root():
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            self._run([
                str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-U", self.config.postgres_user,
                f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8",
            ])
        finally:
            pwfile.unlink(missing_ok=True)

    def _launch(self) -> None:
        self._prepare_dirs()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses={self.config.host} "
            "-c max_connections=200 -c fsync=on -c timezone=UTC"
        )
        self._run([
            str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.server_log),
            "-o", options, "-w", "-t", "60", "start",
        ])
        self._ensure_database()

    def _ensure_database(self) -> None:
        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.config.postgres_db,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.config.postgres_db}"')

    def _admin_dsn(self) -> str:
        c = self.config
        return f"postgresql://{c.postgres_user}:{c.postgres_password}@{c.host}:{c.postgres_port}/postgres"

    def ready(self) -> bool:
        try:
            with psycopg.connect(self._admin_dsn(), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def stop(self) -> bool:
        if self.pid() is None:
            return False
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        return True
