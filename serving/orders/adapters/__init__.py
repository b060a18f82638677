"""The orders service's adapters: PostgreSQL (``tables``, ``repository``) and the
restaurants peer (``pricing_catalog`` with ``RedisSurge``, ``stock``)."""
