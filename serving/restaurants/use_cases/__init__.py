"""The restaurants service's use cases, by concept; they raise typed errors, never HTTP statuses."""
