"""The orders service: placing orders, moving them through their lifecycle, history.

``domain`` (pricing, rules), ``lifecycle`` (the transition table), ``cursor`` and
``idempotency`` are pure; ``events`` maps orders and status changes to contract
events; ``ports`` holds what we need from the restaurants service (pricing,
ownership) as protocols; ``tables`` and ``repository`` are the PostgreSQL adapter;
``service`` runs one use case in one transaction; ``router`` is the HTTP surface.
"""
