"""The identity service: users, roles, addresses, login sessions (PostgreSQL schema ``identity``)."""
