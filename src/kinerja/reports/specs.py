"""Vega-Lite specs of the reports' own charts (several series over the years), in the style of
kinerja.charts, whose builders the evaluation report reuses as they are; and the conversion of
any spec to a static SVG by vl-convert (no browser), with the font shipped in this package, so a
chart looks the same on every machine."""

from __future__ import annotations

import copy
import threading
from typing import Any

from kinerja.charts import SCHEMA, _number
from kinerja.reports import fonts

WIDTH = 460
_lock = threading.Lock()
_fonts_registered = False


def lines_chart(points: list[dict[str, Any]], title: str, y_title: str) -> dict[str, Any]:
    """Several series over the years ({"tahun", "seri", "nilai"}); a hidden figure is a gap."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 180,
        "data": {"values": [{"tahun": p["tahun"], "seri": p["seri"], "nilai": _number(p["nilai"])} for p in points]},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "tahun", "type": "ordinal", "title": None},
            "y": {"field": "nilai", "type": "quantitative", "title": y_title},
            "color": {"field": "seri", "type": "nominal", "title": None, "sort": None},
            "tooltip": [{"field": "tahun"}, {"field": "seri"}, {"field": "nilai"}],
        },
    }


def stacked_bars(points: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Counts per year stacked by a breakdown ({"tahun", "seri", "nilai"}); hidden cells are left out,
    so the chart never carries more than its table."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 200,
        "data": {"values": [{"tahun": p["tahun"], "seri": p["seri"], "nilai": _number(p["nilai"])}
                            for p in points if _number(p["nilai"])]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "tahun", "type": "ordinal", "title": None},
            "y": {"field": "nilai", "type": "quantitative", "title": None, "stack": "zero"},
            "color": {"field": "seri", "type": "nominal", "title": None, "sort": None},
            "tooltip": [{"field": "tahun"}, {"field": "seri"}, {"field": "nilai"}],
        },
    }


def static(spec: dict[str, Any], width: int = WIDTH) -> dict[str, Any]:
    """A spec fit for a page: a fixed width instead of the browser's container, the shipped font,
    and the report's quiet colours."""
    out = copy.deepcopy(spec)
    if out.get("width") == "container":
        out["width"] = width
    if isinstance(out.get("height"), int | float) and out["height"] > 170:
        out["height"] = 170
    family = fonts.FAMILY
    out["config"] = {
        **out.get("config", {}),
        "font": family, "background": "white",
        "title": {"font": family, "fontSize": 12, "fontWeight": "bold", "anchor": "start", "color": "#1d2433"},
        "axisX": {"labelAngle": 0},
        "axis": {"labelFont": family, "titleFont": family, "labelColor": "#334155", "titleColor": "#334155",
                 "gridColor": "#e2e8f0", "domainColor": "#94a3b8"},
        "legend": {"labelFont": family, "titleFont": family, "orient": "bottom"},
        "range": {"category": ["#0b6e4f", "#d97706", "#2563eb", "#9333ea", "#dc2626", "#0891b2", "#65a30d"]},
        "bar": {"color": "#0b6e4f"}, "line": {"color": "#0b6e4f"}, "point": {"color": "#0b6e4f"},
        "rule": {"color": "#9a3412"},
        "view": {"stroke": None},
    }
    return out


def to_svg(spec: dict[str, Any], width: int = WIDTH) -> str:
    import vl_convert as vlc

    global _fonts_registered
    with _lock:
        if not _fonts_registered:
            vlc.register_font_directory(str(fonts.DIR))
            _fonts_registered = True
    return str(vlc.vegalite_to_svg(static(spec, width)))
