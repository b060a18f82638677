"""The orders service: placing orders and reading them back.

``domain`` is pure (pricing, rules); ``events`` maps orders to contract events;
``tables`` and ``repository`` are the PostgreSQL adapter; ``service`` runs one use
case in one transaction; ``router`` is the HTTP surface.
"""
