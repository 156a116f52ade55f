"""Vega-Lite chart specs (plain dicts) for scorecards and trends: rendered interactively in the
browser by the vendored vega-embed, and usable as static SVG/PNG for PDF and Excel reports."""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; nothing is fetched


def _number(value: Any) -> Any:
    """A figure as a chart plots it: a number, or null for a missing or suppressed one ("<5", "*"),
    so a chart never carries more than the table beside it."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _accessible(spec: dict[str, Any]) -> dict[str, Any]:
    """A chart as screen readers meet it: the SVG is named by the spec's description (its title);
    its marks and axes are hidden from them (aria off), since the page's tables carry the figures."""
    def quiet(node: Any) -> None:
        if isinstance(node, dict):
            if "mark" in node:
                mark = node["mark"] if isinstance(node["mark"], dict) else {"type": node["mark"]}
                mark["aria"] = False
                if mark.get("point") is True:
                    mark["point"] = {"aria": False}
                node["mark"] = mark
            for value in node.values():
                quiet(value)
        elif isinstance(node, list):
            for value in node:
                quiet(value)

    quiet(spec)
    spec["config"] = {**spec.get("config", {}), "aria": False}
    return spec


def trend_chart(series: list[dict[str, Any]], title: str, unit_label: str) -> dict[str, Any]:
    """One measure over the years: a line with points; missing years (null) leave a gap."""
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,  # the SVG's accessible name (aria-label) for screen readers
        "title": title,
        "width": "container",
        "height": 220,
        "data": {"values": [{"tahun": str(p["year"]), "nilai": _number(p["value"]),
                             **({"teks": p["value"]} if isinstance(p["value"], str) else {})} for p in series]},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "tahun", "type": "ordinal", "title": None},
            "y": {"field": "nilai", "type": "quantitative", "title": unit_label},
            "tooltip": [{"field": "tahun"}, {"field": "nilai", "format": ",.2f"}],
        },
    }
    return _accessible(spec)


def inhibitor_chart(inhibitors: list[dict[str, Any]], title: str, axis_title: str) -> dict[str, Any]:
    """Inhibiting factors ranked by the obstacles recorded on actions this period."""
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,  # the SVG's accessible name (aria-label) for screen readers
        "title": title,
        "width": "container",
        "height": 30 * max(len(inhibitors), 1),
        "data": {"values": [{"faktor": i["name"], "tindakan": _number(i["actions"] or 0),
                             **({"teks": i["actions"]} if isinstance(i["actions"], str) else {})}
                            for i in inhibitors]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "faktor", "type": "nominal", "sort": "-x", "title": None},
            # whole actions on the axis ("0", "1", ...), never "0.000000" when every count is 0
            "x": {"field": "tindakan", "type": "quantitative", "title": axis_title,
                  "axis": {"format": "d", "tickMinStep": 1}, "scale": {"domainMin": 0, "nice": True}},
            "tooltip": [{"field": "faktor"}, {"field": "tindakan"}],
        },
    }
    return _accessible(spec)


def dimension_chart(dimensions: list[dict[str, Any]], title: str, target_label: str = "Baik (76)",
                    threshold: float = 76.0) -> dict[str, Any]:
    """Dimension scores on the 0-100+ achievement scale, with the 'Baik' threshold drawn at 76 and
    labelled on the chart."""
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,  # the SVG's accessible name (aria-label) for screen readers
        "title": title,
        "width": "container",
        "height": 30 * max(len(dimensions), 1),
        "data": {"values": [{"dimensi": d["name"], "skor": d["score"]} for d in dimensions if _number(d["score"]) is not None]},
        "layer": [
            {"mark": "bar", "encoding": {
                "y": {"field": "dimensi", "type": "nominal", "title": None, "sort": None},
                "x": {"field": "skor", "type": "quantitative", "title": None, "scale": {"domainMin": 0}},
                "tooltip": [{"field": "dimensi"}, {"field": "skor", "format": ".2f"}]}},
            {"mark": {"type": "rule", "strokeDash": [4, 3]}, "encoding": {"x": {"datum": threshold}}},
            {"mark": {"type": "text", "align": "left", "baseline": "top", "dx": 3, "dy": 2},
             "encoding": {"x": {"datum": threshold}, "y": {"value": 0}, "text": {"value": target_label}}},
        ],
    }
    return _accessible(spec)


def dimension_compare_chart(units: list[tuple[str, list[dict[str, Any]]]], title: str, target_label: str = "Baik (76)",
                            threshold: float = 76.0) -> dict[str, Any]:
    """The dimension scores of several units (a parent's children) as grouped bars, one colour per
    unit, with the 'Baik' threshold drawn and labelled. Suppressed or missing scores are left out."""
    values = [{"dimensi": d["name"], "unit": name, "skor": d["score"]}
              for name, dims in units for d in dims if _number(d["score"]) is not None]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,  # the SVG's accessible name (aria-label) for screen readers
        "title": title,
        "width": "container",
        "height": 24 * max(len(values), 1) + 20,
        "data": {"values": values},
        "layer": [
            {"mark": "bar", "encoding": {
                "y": {"field": "dimensi", "type": "nominal", "title": None, "sort": None},
                "yOffset": {"field": "unit", "type": "nominal"},
                "color": {"field": "unit", "type": "nominal", "title": None, "legend": {"orient": "bottom"}},
                "x": {"field": "skor", "type": "quantitative", "title": None, "scale": {"domainMin": 0}},
                "tooltip": [{"field": "unit"}, {"field": "dimensi"}, {"field": "skor", "format": ".2f"}]}},
            {"mark": {"type": "rule", "strokeDash": [4, 3]}, "encoding": {"x": {"datum": threshold}}},
            {"mark": {"type": "text", "align": "left", "baseline": "top", "dx": 3, "dy": 2},
             "encoding": {"x": {"datum": threshold}, "y": {"value": 0}, "text": {"value": target_label}}},
        ],
    }
    return _accessible(spec)
