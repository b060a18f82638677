"""How the orders service is reached: HTTP (``router``, ``schemas``), the payment
events it reacts to (``consumers``) and the accept-timeout ``sweeper``."""
