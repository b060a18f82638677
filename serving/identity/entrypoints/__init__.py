"""How the identity service is reached: its HTTP routers and their schemas."""
