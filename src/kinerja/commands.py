"""Subcommands that areas outside the register add to `kinerja` (indicators, evidence).

Each area module has `register(subparsers, add)`, where `add(name, handler, help, parent=None)`
returns the new subparser. Add one line per area below."""

from collections.abc import Callable


def extensions() -> list[Callable]:
    registrations: list[Callable] = []
    return registrations


def demo_loaders() -> list[Callable]:
    """Loaders that add an area's synthetic sample to `kinerja demo`; each takes the output stream."""
    loaders: list[Callable] = []
    return loaders


def api_routers() -> list[tuple[str, object]]:
    """(prefix, ninja Router) pairs that areas mount on the JSON API."""
    routers: list[tuple[str, object]] = []
    return routers
