"""A loopback stand-in for the feeds' official sites, for the sync tests: no test reaches a real one."""

import hashlib
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path

from django.test import override_settings


class FeedHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with an ETag, 304 on If-None-Match, and byte ranges (what the real sources do)."""

    requests: list = []
    cut_after: int | None = None  # close the connection after this many bytes, once

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (the http.server naming)
        path = Path(self.translate_path(self.path))
        type(self).requests.append((self.path, dict(self.headers)))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        start = 0
        if self.headers.get("Range") and self.headers.get("If-Range") == etag:
            start = int(self.headers["Range"].split("=")[1].rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = type(self).cut_after
        if cut is not None:
            type(self).cut_after = None
            self.wfile.write(body[:cut])
            self.close_connection = True
            return
        self.wfile.write(body)


@contextmanager
def feed_site(root: Path, **settings):
    """Serve ``root`` on 127.0.0.1 and point every feed source at it (more settings may be given)."""
    FeedHandler.requests = []
    FeedHandler.cut_after = None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: FeedHandler(*a, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = {"osv": base + "/{ecosystem}/all.zip", "osv-ecosystems": base + "/ecosystems.txt",
            "kev": base + "/kev.json", "epss": base + "/epss.csv", "attack": base + "/enterprise-attack.json"}
    try:
        with override_settings(FORCEB_FEED_URLS=urls, **settings):
            yield base
    finally:
        server.shutdown()
        server.server_close()
