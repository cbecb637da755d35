"""Settings for the test suite: the production settings with fast hashing and immediate tasks."""

from .settings import *  # noqa: F403

# Argon2 stays the production hasher (tests/core/test_security_settings.py asserts it); a fast
# hasher here keeps fixtures that create dozens of people quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client and the live server speak plain HTTP; the redirect to HTTPS is tested on its own.
SECURE_SSL_REDIRECT = False
# Whitenoise looks files up per request in tests instead of indexing a collected folder at start-up.
WHITENOISE_AUTOREFRESH = True
