"""FastAPI dependencies of the identity routers, as ``Annotated`` aliases.

Identity keeps nothing of its own on ``app.state``: its settings are the root settings'
``identity`` section, and the login lockout works on the gateway's Redis client. The
database, the kernel settings and that client are the kernel's (``serving.kernel.http.deps``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from serving.identity.adapters.login_lockout import LoginLockout
from serving.identity.settings import IdentitySettings
from serving.kernel.http.deps import GatewayRedis, Settings


def identity_settings(request: Request) -> IdentitySettings:
    identity: IdentitySettings = request.app.state.settings.identity
    return identity


Identity = Annotated[IdentitySettings, Depends(identity_settings)]


def login_lockout(redis: GatewayRedis, settings: Settings, identity: Identity) -> LoginLockout:
    return LoginLockout(redis, identity, settings.service_name)


Lockout = Annotated[LoginLockout, Depends(login_lockout)]
