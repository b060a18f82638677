"""The orders service: placing orders, moving them through their lifecycle, history.

``api`` is what other services may import. ``domain/`` is pure (the order and its
price, the lifecycle table, pricing rules, events); ``use_cases/`` run one use case
in one transaction and raise the typed refusals of ``errors``; ``ports`` holds what
orders needs from the restaurants service as protocols; ``adapters/`` are PostgreSQL
and the restaurants peer; ``entrypoints/`` are HTTP, the payments consumer and the
accept-timeout sweeper; ``bootstrap`` builds it all from ``settings``.
"""
