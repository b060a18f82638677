"""How the identity service is reached: its HTTP routers and their schemas, and the
operator's commands (``cli``, run as ``python -m serving.identity``)."""
