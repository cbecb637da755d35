"""The documented exchange format of the inventory, as JSON Schema (read by ``forceb.inventory.io``)."""
