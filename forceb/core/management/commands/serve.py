import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with waitress (a production WSGI server) on loopback by default."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("FORCEB_PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("FORCEB_HOST", "127.0.0.1"))
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        from waitress import serve

        # Static files first: whitenoise indexes the folder when the application is built.
        call_command("collectstatic", interactive=False, verbosity=0)
        from forceb.config.wsgi import application

        scheme = "https" if settings.FORCEB_HTTPS else "http"
        self.stdout.write(f"FORCE-B serving on {scheme}://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="forceb")
