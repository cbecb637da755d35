from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "forceb.web"
    label = "web"
    verbose_name = "Web interface"
