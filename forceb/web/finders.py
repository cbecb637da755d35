"""A static-files finder for plotly.js as the ``plotly`` Python package ships it.

Served as ``vendor/plotly.min.js`` through the ordinary static pipeline, so whitenoise gives it
compression and far-future caching like our own files (it is 4.6 MB uncompressed), and the
version always follows the lock file. No CDN: the CSP allows our origin only.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_FILE = "plotly.min.js"
PREFIX = "vendor"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(plotly.__file__).parent / "package_data")
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != f"{PREFIX}/{PLOTLY_FILE}":
            return [] if find_all or kwargs.get("all") else None
        found = self.storage.path(PLOTLY_FILE)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
