from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "forceb.resilience"
    label = "resilience"
    verbose_name = "Operational resilience"
