"""The font shipped with the reports (DejaVu Sans, free licence: see LICENSE), so a PDF and its
charts do not depend on the fonts of the machine that makes them."""

from __future__ import annotations

from pathlib import Path

DIR = Path(__file__).resolve().parent
FAMILY = "DejaVu Sans"
REGULAR = DIR / "DejaVuSans.ttf"
BOLD = DIR / "DejaVuSans-Bold.ttf"
OBLIQUE = DIR / "DejaVuSans-Oblique.ttf"
