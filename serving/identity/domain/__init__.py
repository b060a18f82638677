"""Pure rules of the identity service: no database, Redis or HTTP."""
