from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "forceb.intel"
    label = "intel"
    verbose_name = "Threat-intelligence sharing hub"
