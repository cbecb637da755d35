"""``forceb serve`` collects the static files only when their sources changed."""

import os

from django.test import override_settings

from forceb.core.management.commands import serve


def test_static_files_are_collected_again_only_after_a_source_changes(tmp_path, monkeypatch):
    source = tmp_path / "assets"
    source.mkdir()
    (source / "extra.css").write_text("body { color: black; }")
    root = tmp_path / "static"
    root.mkdir()
    collected = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: collected.append(a))
    with override_settings(STATIC_ROOT=root, STATICFILES_DIRS=[source]):
        serve.collect_static()
        serve.collect_static()
        assert collected == [("collectstatic",)]
        stat = os.stat(source / "extra.css")
        (source / "extra.css").write_text("body { color: white; }")
        os.utime(source / "extra.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        serve.collect_static()
    assert collected == [("collectstatic",), ("collectstatic",)]
