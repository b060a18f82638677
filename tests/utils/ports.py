"""Ports for servers a test starts: the stack tooling's own free-port finder."""

from __future__ import annotations

from ops.stack.process import free_port

__all__ = ["free_port"]
