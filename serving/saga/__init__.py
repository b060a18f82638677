"""The order saga: payment outcomes cancel orders, cancellations refund payments.

State lives only in persisted rows (orders, payments, ``processed_events``) and
Kafka consumer offsets, so a restarted process carries on where it stopped.
``decisions`` is pure; ``orders_side`` is the orders service's consumer (the payments
service's is ``serving/payments/entrypoints/consumers.py``); ``sweeper`` cancels orders
nobody accepted in time. See docs/saga.md.
"""
