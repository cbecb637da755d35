from django.apps import AppConfig


class SbomConfig(AppConfig):
    name = "forceb.sbom"
    label = "sbom"
    verbose_name = "SBOM and vulnerability monitoring"
