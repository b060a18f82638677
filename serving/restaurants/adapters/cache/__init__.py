"""Redis caches of the serving layer."""
