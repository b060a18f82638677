"""The cart's adapters: ``store`` (carts and checkout claims in Redis)."""
