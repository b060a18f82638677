"""The payments service's adapters: PostgreSQL (``tables``, ``repository``), its events
(``events``), card gateways (``sandbox`` with ``sandbox_postgres`` and ``sandbox_tables``,
``razorpay`` with ``razorpay_requests``, ``retry``), the orders peer (``orders_port``)
and ``in_transaction`` (use cases inside a consumer's transaction)."""
