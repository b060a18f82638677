"""The restaurants service's Redis: the read-through cache of restaurants and menus."""
