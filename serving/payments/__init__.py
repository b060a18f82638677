"""The payments service: card (through a gateway), wallet (a double-entry ledger), COD.

``api`` is all another service may import (the payment limit). ``domain/`` is pure
(payments and refund rules, ``payable``, ``ledger``, the ``gateway`` port,
``order_events``: what an order event asks of payments); ``errors`` are the typed
refusals; ``use_cases/`` run one use case each in one transaction, gathered by
``service.Payments``; ``adapters/`` talk to PostgreSQL, card gateways and the orders
service; ``entrypoints/`` are the HTTP routes and the consumer of ``orders.v1``;
``bootstrap`` builds it all from settings for the composition roots. docs/payments.md.
"""
