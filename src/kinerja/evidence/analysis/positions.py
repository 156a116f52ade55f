"""Selection positions as their makers meant them (evidence.md, "Exchange").

REFI-QDA counts positions in Unicode code points, as Python indexes a ``str``. Not every tool does:

- ``codepoint``: the standard.
- ``utf16``: UTF-16 code units, as NVivo (Windows 12.6, Mac 12.7) counts; every character outside
  the Basic Multilingual Plane (an emoji) before a position shifts it by one.
- ``lf-on-crlf``: the text ships with CRLF line breaks but the positions were counted on the same
  text with LF breaks (QualCoder's "MAXQDA line endings" export); every line break before a
  position shifts it by one.
- ``utf16+lf-on-crlf``: both at once.

Which reading a file uses is decided by a check. Where a selection carries the selected text
(the ``name`` attribute that QualCoder, MAXQDA and ATLAS.ti write), that text is the check of the
selection. Otherwise the check is that a selection starts and ends on word boundaries (and not
with white space), a weak
test for one selection but a strong one over a whole source, so the reading of a source is the
one that the most of its selections pass, ties going to the maker's habit (NVivo: UTF-16).

A selection is read the way the check confirms; one without a name whose readings all land on
the same text needs no check. When the source's reading does not confirm it
but exactly one other reading does, it is repaired to that one. When no reading confirms it (or
several disagree), it is kept where the source's reading puts it and marked unconfirmed, so the
caller can report it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

CODEPOINT = "codepoint"
UTF16 = "utf16"
LF_ON_CRLF = "lf-on-crlf"
UTF16_LF_ON_CRLF = "utf16+lf-on-crlf"
READINGS: tuple[str, ...] = (CODEPOINT, UTF16, LF_ON_CRLF, UTF16_LF_ON_CRLF)

CONFIRMED = "confirmed"
REPAIRED = "repaired"
UNCONFIRMED = "unconfirmed"

_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS = ("…", "...")
_MIN_TRUNCATED = 8  # a name cut short ("favoritos. 2 horas ...") checks only when this long


@dataclass(frozen=True)
class Selection:
    """Positions as written in the file, with the selected text when the file carries it."""

    start: int
    end: int
    name: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where a selection lands in the text (code points, end exclusive) and how sure that is."""

    start: int
    end: int
    reading: str
    status: str  # CONFIRMED, REPAIRED or UNCONFIRMED


@dataclass(frozen=True)
class SourcePlacements:
    reading: str  # the reading of the source as a whole
    placements: tuple[Placement | None, ...]  # None: no reading puts the selection inside the text

    def count(self, status: str) -> int:
        return sum(1 for p in self.placements if p is not None and p.status == status)


def prefers_utf16(origin: str | None) -> bool:
    """NVivo counts UTF-16 units; the ``origin`` attribute of its projects names it."""
    return "nvivo" in (origin or "").lower()


class _Text:
    """One source text with the tables that turn each reading's positions into code points."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lf_text(self) -> str:
        return self.text.replace("\r\n", "\n")

    @cached_property
    def crlf_at(self) -> list[int]:
        """LF-text position of the line break of every CRLF, in order."""
        out: list[int] = []
        pos = self.text.find("\r\n")
        while pos != -1:
            out.append(pos - len(out))
            pos = self.text.find("\r\n", pos + 2)
        return out

    @staticmethod
    def _astral_units(text: str) -> list[int]:
        """UTF-16 position of every character outside the BMP (each takes two units)."""
        out: list[int] = []
        for i, ch in enumerate(text):
            if ord(ch) > 0xFFFF:
                out.append(i + len(out))
        return out

    @cached_property
    def astral(self) -> list[int]:
        return self._astral_units(self.text) if not self.text.isascii() else []

    @cached_property
    def lf_astral(self) -> list[int]:
        return self._astral_units(self.lf_text) if not self.text.isascii() else []

    def applicable(self) -> list[str]:
        """The readings that can differ from code points for this text."""
        out = [CODEPOINT]
        if self.astral:
            out.append(UTF16)
        if self.crlf_at:
            out.append(LF_ON_CRLF)
            if self.lf_astral:
                out.append(UTF16_LF_ON_CRLF)
        return out

    @staticmethod
    def _from_utf16(units: list[int], pos: int) -> int | None:
        i = bisect_left(units, pos - 1)
        if i < len(units) and units[i] == pos - 1:
            return None  # between the two halves of a surrogate pair
        return pos - bisect_right(units, pos - 2)

    def _from_lf(self, pos: int) -> int:
        return pos + bisect_left(self.crlf_at, pos)

    def to_codepoints(self, pos: int, reading: str) -> int | None:
        if reading == CODEPOINT:
            return pos
        if reading == UTF16:
            return self._from_utf16(self.astral, pos)
        if reading == LF_ON_CRLF:
            return self._from_lf(pos)
        if reading == UTF16_LF_ON_CRLF:
            lf_pos = self._from_utf16(self.lf_astral, pos)
            return None if lf_pos is None else self._from_lf(lf_pos)
        raise ValueError(f"unknown reading {reading!r}")

    def span(self, sel: Selection, reading: str) -> tuple[int, int] | None:
        if not 0 <= sel.start < sel.end:
            return None
        start, end = self.to_codepoints(sel.start, reading), self.to_codepoints(sel.end, reading)
        if start is None or end is None or not 0 <= start < end <= len(self.text):
            return None
        return start, end


def to_codepoints(text: str, start: int, end: int, reading: str) -> tuple[int, int] | None:
    """``(start, end)`` counted the way ``reading`` says, as code points of ``text``; None when
    that reading cannot hold (past the end, or inside a surrogate pair)."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}")
    return _Text(text).span(Selection(start, end), reading)


def _squash(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def name_match(found: str, name: str) -> int:
    """How well ``found`` (the text at a position) matches a selection's ``name``: 2 exactly,
    1 up to white space and line breaks (XML turns line breaks in attributes into spaces) or a
    name cut short with an ellipsis, 0 not at all."""
    if found == name:
        return 2
    squashed_found, squashed_name = _squash(found), _squash(name)
    if not squashed_name:
        return 0
    if squashed_found == squashed_name:
        return 1
    for mark in _ELLIPSIS:
        stem = squashed_name.removesuffix(mark).rstrip()
        if squashed_name.endswith(mark) and len(stem) >= _MIN_TRUNCATED and squashed_found.startswith(stem):
            return 1
    return 0


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` holds a word, neither starts nor ends inside one, and has no
    white space at either end (a selection shifted by one often begins or ends with a space)."""
    piece = text[start:end]
    if not any(_word(ch) for ch in piece) or piece[0].isspace() or piece[-1].isspace():
        return False
    if start > 0 and _word(text[start - 1]) and _word(text[start]):
        return False
    return not (end < len(text) and _word(text[end - 1]) and _word(text[end]))


def place(text: str, selections: Sequence[Selection], *, prefer_utf16: bool = False) -> SourcePlacements:
    """Place every selection of one source (see the module docstring for the rules).

    ``prefer_utf16`` breaks ties towards UTF-16 units (the maker is NVivo); otherwise ties go
    to the standard's code points."""
    src = _Text(text)
    readings = src.applicable()
    order = [UTF16_LF_ON_CRLF, UTF16, LF_ON_CRLF, CODEPOINT] if prefer_utf16 else \
        [CODEPOINT, LF_ON_CRLF, UTF16, UTF16_LF_ON_CRLF]
    readings.sort(key=order.index)
    # per selection: reading -> (span, level of the check: 0 none, 1 loose, 2 exact)
    checks: list[dict[str, tuple[tuple[int, int], int]]] = []
    for sel in selections:
        row: dict[str, tuple[tuple[int, int], int]] = {}
        for reading in readings:
            span = src.span(sel, reading)
            if span is None:
                continue
            found_start, found_end = span
            if sel.name is not None and sel.name.strip():
                level = name_match(text[found_start:found_end], sel.name)
            else:
                level = 1 if on_word_boundaries(text, found_start, found_end) else 0
            row[reading] = (span, level)
        checks.append(row)

    def score(reading: str) -> tuple[int, int]:
        return (sum(1 for row in checks if reading in row and row[reading][1] > 0),
                sum(1 for row in checks if reading in row))

    # max() keeps the first of equal scores, so the preference order breaks ties
    source_reading = max(readings, key=score)
    out: list[Placement | None] = []
    for sel, row in zip(selections, checks, strict=True):
        if not row:
            out.append(None)
            continue
        if (sel.name is None or not sel.name.strip()) and len({span for span, _level in row.values()}) == 1:
            # every reading lands on the same text: nothing to choose, nothing to check against
            reading = source_reading if source_reading in row else next(iter(row))
            out.append(Placement(*row[reading][0], reading, CONFIRMED))
            continue
        best = max(level for _span, level in row.values())
        own = row.get(source_reading)
        if best > 0 and own is not None and own[1] == best:
            out.append(Placement(*own[0], source_reading, CONFIRMED))
            continue
        answers = {span for span, level in row.values() if level == best} if best > 0 else set()
        if len(answers) == 1:
            span = answers.pop()
            reading = next(r for r in readings if r in row and row[r][0] == span)
            out.append(Placement(*span, reading, REPAIRED))
            continue
        fallback = source_reading if own is not None else next(r for r in readings if r in row)
        out.append(Placement(*row[fallback][0], fallback, UNCONFIRMED))
    return SourcePlacements(source_reading, tuple(out))
