"""mimir's projection of imi's entities, kept from imi's events and joined at read time."""
