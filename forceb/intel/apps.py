from django.apps import AppConfig, apps


class IntelConfig(AppConfig):
    name = "forceb.intel"
    label = "intel"
    verbose_name = "Threat-intelligence sharing hub"

    def ready(self):
        # ATT&CK arrives like the vulnerability feeds (`forceb feeds sync|import`: conditional,
        # resumable downloads recorded as FeedState rows) but is stored here, as STIX. The feed
        # machinery knows loaders only through this registration, so it never imports this app.
        if apps.is_installed("forceb.sbom"):
            from forceb.sbom.actions import register_feed_loader
            from forceb.sbom.choices import Feed

            from .actions import load_attack_feed

            register_feed_loader(Feed.ATTACK, load_attack_feed)
