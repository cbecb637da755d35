from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "forceb.inventory"
    label = "inventory"
    verbose_name = "Ecosystem inventory"
