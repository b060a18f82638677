"""The restaurants service: restaurants, menus, stock, offers, reviews, the cache of restaurants
and menus, and search over them (schema ``restaurants``; docs/restaurants-and-search.md).

Other services import ``api`` only (ADR 0004).
"""
