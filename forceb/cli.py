"""The ``forceb`` command: the platform's verbs, with Django's management commands underneath.

``forceb seed-demo`` runs the ``seed_demo`` command; any other Django command (``forceb shell``,
``forceb createsuperuser``, ``forceb makemigrations``) passes straight through.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forceb.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["forceb", *argv[1:]])


if __name__ == "__main__":
    main()
