"""Performance indicators (indicators.md): the measures, frameworks, scorecards and trends.

    from kinerja.indicators import compute, compute_many, compute_periods, scorecard, scorecards, trend

Modules: periods (WIB periods), definitions (measure metadata), measures (the engine, in the
database), achievement (capaian and ratings), frameworks (TOML files), scorecard, commands (CLI),
api (django-ninja router). Imports are lazy so that loading the package needs no Django setup."""

from __future__ import annotations

from typing import Any

_LAZY = {
    "compute": "kinerja.indicators.measures",
    "compute_many": "kinerja.indicators.measures",
    "compute_periods": "kinerja.indicators.measures",
    "scorecard": "kinerja.indicators.scorecard",
    "scorecards": "kinerja.indicators.scorecard",
    "trend": "kinerja.indicators.scorecard",
    "Period": "kinerja.indicators.periods",
}
__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
