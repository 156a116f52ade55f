"""Where the areas outside the register plug into `kinerja`: CLI subcommands, JSON API routers
and demo samples. Imports are inside the functions so that `kinerja --help` stays fast and the
register never imports the other areas at module load."""

from __future__ import annotations

from collections.abc import Callable


def extensions() -> list[Callable]:
    """`register(subparsers, add)` functions; `add(name, handler, help, parent=None)` returns a subparser."""
    from kinerja.evidence import commands as evidence_commands
    from kinerja.indicators import commands as indicators_commands
    from kinerja.reports import commands as report_commands

    return [indicators_commands.register, evidence_commands.register, report_commands.register]


def demo_loaders() -> list[Callable]:
    """Loaders that add an area's synthetic sample to `kinerja demo`; each takes the output stream."""
    from kinerja.evidence import demo as evidence_demo

    return [evidence_demo.load_sample]


def api_routers() -> list[tuple[str, object]]:
    """(prefix, ninja Router) pairs that areas mount on the JSON API."""
    from kinerja.evidence import api as evidence_api
    from kinerja.indicators import api as indicators_api

    return [("/indikator/", indicators_api.router), ("/bukti/", evidence_api.router)]
