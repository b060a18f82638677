"""How the payments service is reached: HTTP (``router``, ``schemas``) and the events it
reacts to (``consumers``)."""
