from django.apps import AppConfig


class SocConfig(AppConfig):
    name = "forceb.soc"
    label = "soc"
    verbose_name = "Joint Defense SOC"
