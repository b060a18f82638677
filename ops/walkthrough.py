"""`tiffin walkthrough`: ops/walkthrough.sh against a freshly started API.

Starts the stack, migrates, makes a one-off admin (the script needs one to drive the
delivery states until couriers exist), starts the API on a free port, runs the curl
script and stops the API again. The script is the documentation (docs/walkthrough.md);
this only gives it a server to talk to.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ops.paths import REPO_ROOT
from ops.processes import start_api
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack
from ops.stack.process import free_port

SCRIPT = REPO_ROOT / "ops" / "walkthrough.sh"


def create_admin(env: Mapping[str, str]) -> tuple[str, str]:
    """A new ADMIN through the operator command; returns (email, password)."""
    from serving.identity.use_cases import accounts
    from serving.kernel.db import create_engine

    email, password = f"walkthrough-admin-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(18)
    engine = create_engine(env["TIFFIN_DATABASE_URL"])
    try:
        accounts.create_admin(engine, email=email, password=password, name="Walkthrough admin", phone=None)
    finally:
        engine.dispose()
    return email, password


def run_walkthrough(
    config: StackConfig, env_overrides: Mapping[str, str] | None = None, log: Path | None = None
) -> int:
    """The script's exit code; its output goes to this process's stdout."""
    from serving.migrations.registry import migrate

    LocalStack(config).up()
    env = {**config.env(), **(env_overrides or {})}
    migrate(env["TIFFIN_DATABASE_URL"])
    email, password = create_admin(env)
    port = free_port()
    api = start_api(env, port, log or config.logs_dir / "walkthrough-api.log")
    try:
        script_env = {**os.environ, "API": f"http://127.0.0.1:{port}", "ADMIN_EMAIL": email, "ADMIN_PASSWORD": password}
        return subprocess.call(["bash", str(SCRIPT)], env=script_env)
    finally:
        api.stop()
