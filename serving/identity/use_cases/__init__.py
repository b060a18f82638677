"""The identity service's use cases, by concept; they raise typed errors (``errors``), never HTTP statuses."""
