from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "forceb.core"
    label = "core"
    verbose_name = "Platform core"

    def ready(self):
        from . import signals  # noqa: F401  (connects the audit handlers)
        from .api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
