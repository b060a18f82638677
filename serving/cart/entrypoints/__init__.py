"""How the cart is reached: HTTP (``router``, ``schemas``)."""
