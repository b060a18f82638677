"""The customer's cart: Redis-held, one restaurant at a time, checked out into an order."""
