"""Search and discovery over restaurants and dishes (PostgreSQL full-text + pg_trgm)."""
