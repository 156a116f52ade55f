"""What `kinerja.cli` and the areas' command modules share: Django set-up and the shape of a
subcommand. Both import this module and neither imports the other's, so the command line reads
top-down (cli -> commands -> area commands -> clibase)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Protocol

Handler = Callable[[argparse.Namespace], int]


class AddCommand(Protocol):
    """The ``add(name, handler, help, parent=None)`` function that registers a subcommand and
    returns its parser; areas receive it in their ``register(subparsers, add)``."""

    def __call__(self, name: str, handler: Handler, help_text: str,
                 parent: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser: ...


def setup_django(migrate: bool = True) -> None:
    """Configure Django for a command; bring the database schema up to date unless told not to."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    import django

    django.setup()
    if migrate:
        from kinerja.register import database

        database.ensure_migrated()
