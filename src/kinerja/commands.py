"""Subcommands that areas outside the register add to `kinerja` (indicators, evidence).

Each area module has `register(subparsers, add)`, where `add(name, handler, help, parent=None)`
returns the new subparser. Add one line per area below."""

from collections.abc import Callable


def extensions() -> list[Callable]:
    registrations: list[Callable] = []
    return registrations
