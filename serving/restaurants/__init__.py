"""The restaurants service: restaurants, menus, inventory and offers (schema ``restaurants``)."""
