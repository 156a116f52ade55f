"""``{% dimension_evidence evidence key %}``: the evidence beside one dimension (or inhibiting
factor) of a scorecard, from ``selectors.evidence_for_scorecard``."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("kinerja/_dimension_evidence.html")
def dimension_evidence(evidence: dict[str, Any] | None, key: str, kind: str = "dimensions") -> dict[str, Any]:
    """``kind`` is "dimensions" or "inhibitors"; nothing is shown without evidence data."""
    return {"ev": (evidence or {}).get(kind, {}).get(key)}
