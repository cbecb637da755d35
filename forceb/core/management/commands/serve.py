import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
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
        collect_static()
        from forceb.config.wsgi import application

        scheme = "https" if settings.FORCEB_HTTPS else "http"
        self.stdout.write(f"FORCE-B serving on {scheme}://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="forceb")


def _sources_fingerprint() -> str:
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """Collect (hash and compress) the static files unless the sources are those collected last
    time: compressing Plotly's bundle alone takes long enough to make every start slow."""
    marker = Path(settings.STATIC_ROOT) / ".sources"
    fingerprint = _sources_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
