"""What the command line says when a name is wrong: the nearest valid names and where to find all.

A mistyped unit code, measure id, framework or username is the most common command-line error;
a bare "unknown" sends the user to the source code. These helpers pick near matches (difflib, plus
names that contain what was typed) and word the hint in the user's language (KINERJA_LANGUAGE).
Plain Python: no Django, so every command module can use it."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

HINTS: dict[str, dict[str, str]] = {
    "id": {
        "near": "Mungkin maksud Anda: {items}",
        "all": "Pilihan yang ada: {items}",
        "more": "(dan {n} lagi)",
        "list": "Daftar lengkap: {command}",
        "none": "Belum ada pilihan yang tercatat.",
    },
    "en": {
        "near": "Did you mean: {items}",
        "all": "Valid choices: {items}",
        "more": "(and {n} more)",
        "list": "Full list: {command}",
        "none": "Nothing is recorded to choose from yet.",
    },
}


def language(code: str | None) -> str:
    """'en' for any English setting, otherwise Indonesian (the project's first language)."""
    return "en" if str(code or "").lower().startswith("en") else "id"


def near(given: str, choices: Iterable[str], n: int = 5, texts: dict[str, str] | None = None) -> list[str]:
    """The choices closest to `given`, best first: close spellings (case-insensitive), then choices
    whose id contains what was typed (three characters or more) or whose descriptive text does
    (four or more, so that a short typo does not match inside an ordinary word)."""
    options = list(dict.fromkeys(choices))
    wanted = given.strip().lower()
    if not wanted:
        return []
    scored = []
    for index, c in enumerate(options):
        matcher = difflib.SequenceMatcher(None, wanted, c.lower())
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 and matcher.ratio() >= 0.6:
            scored.append((-matcher.ratio(), index, c))  # ties keep the order of the choices
    found = [c for _, _, c in sorted(scored)[:n]]
    for c in options:
        inside = (len(wanted) >= 3 and wanted in c.lower()) or (
            len(wanted) >= 4 and wanted in (texts or {}).get(c, "").lower())
        if inside and c not in found:
            found.append(c)
    return found[:n]


def hint_lines(given: str, choices: Iterable[str], lang: str, *, command: str | None = None,
               always_all: int = 8, all_without_near: int = 20, describe: Callable[[str], str] | None = None,
               texts: dict[str, str] | None = None) -> list[str]:
    """Lines that follow an "unknown X" message: the near matches, if any; every choice when there
    are at most `always_all` of them, or when nothing is near (up to `all_without_near`, then the
    count of the rest); and the command that lists them all."""
    t = HINTS[language(lang)]
    options = list(dict.fromkeys(choices))
    if not options:
        return [t["none"]] + ([t["list"].format(command=command)] if command else [])
    lines = []
    close = near(given, options, texts=texts)
    if close:
        lines.append(t["near"].format(items=", ".join(f"{c} ({describe(c)})" if describe else c for c in close)))
    if len(options) <= always_all:
        lines.append(t["all"].format(items=", ".join(options)))
    elif not close:
        shown = options[:all_without_near]
        more = len(options) - len(shown)
        lines.append(t["all"].format(items=", ".join(shown)) + (" " + t["more"].format(n=more) if more else ""))
    if command:
        lines.append(t["list"].format(command=command))
    return lines
