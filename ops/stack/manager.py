"""Starts, stops and reports on the whole local stack, in dependency order."""

from __future__ import annotations

from collections.abc import Callable

from ops.stack.component import Component, ComponentStatus
from ops.stack.config import StackConfig
from ops.stack.kafka import Kafka
from ops.stack.postgres import Postgres
from ops.stack.redis import Redis
from ops.stack.topics import ensure_topics


class LocalStack:
    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig.from_env()
        self.components: dict[str, Component] = {
            c.name: c for c in (Postgres(self.config), Redis(self.config), Kafka(self.config))
        }

    def component(self, name: str) -> Component:
        try:
            return self.components[name]
        except KeyError:
            raise KeyError(f"no component {name!r}; have {sorted(self.components)}") from None

    def up(self, on_progress: Callable[[str], None] | None = None) -> list[ComponentStatus]:
        from contracts.topics import ALL_TOPICS

        self.config.jwt_secret()  # kept with the stack's data, for everything the CLI starts
        for component in self.components.values():
            if on_progress:
                on_progress(f"starting {component.name} on {component.address}")
            component.start()
        created = ensure_topics(self.config.kafka_bootstrap, ALL_TOPICS)
        if on_progress and created:
            on_progress(f"created topics {', '.join(created)}")
        return self.status()

    def down(self) -> list[str]:
        return [c.name for c in reversed(list(self.components.values())) if c.stop()]

    def status(self) -> list[ComponentStatus]:
        return [c.status() for c in self.components.values()]
