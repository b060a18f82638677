"""The orders service's use cases, one concept per module; each runs in one database
transaction (the system's cancellations run in the caller's)."""
