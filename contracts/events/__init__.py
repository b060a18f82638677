"""Event payload schemas. Each module owns the events of one aggregate."""
