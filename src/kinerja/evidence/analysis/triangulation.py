"""Triangulation matrix, roll-up to dimensions and factors, frequencies and co-occurrence
(evidence.md, "Triangulation").

A finding is better supported when it recurs across methods (interview, observation, document)
and across informants, and when its evidence points one way; this module counts exactly that.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .agreement import paragraph_units
from .records import SOURCE_TYPES, STANCES, Code, Coding, Project


@dataclass(frozen=True)
class Quote:
    coding: str
    source: str
    informants: tuple[str, ...]  # informant codes (pseudonyms)
    stance: str
    text: str


@dataclass(frozen=True)
class Evidence:
    """Triangulation of one code, or of a group of codes in a roll-up."""

    key: str  # code name, or group key in a roll-up
    codes: tuple[str, ...]  # code guids counted
    codings: int
    by_source_type: dict[str, int]
    by_informant: dict[str, int]  # informant code -> codings
    method_triangulation: bool
    source_triangulation: bool
    converges: bool | None  # None: no non-neutral coding, so no verdict ("tidak ada bukti")
    stances: dict[str, int]
    quotes: tuple[Quote, ...]

    def to_json(self) -> dict[str, object]:
        """The spec's matrix object. Quotes stay out: transcripts are special personal data and
        must not leave through a default export."""
        return {
            "kode": self.key,
            "jenis_sumber": dict(self.by_source_type),
            "informan": dict(self.by_informant),
            "triangulasi_metode": self.method_triangulation,
            "triangulasi_sumber": self.source_triangulation,
            "konvergen": self.converges,
            "sikap": dict(self.stances),
        }


def _clip(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + "…"


def strongest_quotes(
    project: Project, codings: Sequence[Coding], *, limit: int = 3, max_chars: int = 300
) -> tuple[Quote, ...]:
    """Pick up to ``limit`` quotes, each adding an informant not quoted yet (a source without
    informants is a voice of its own), so the matrix shows breadth rather than one talkative voice.

    Rank: codings from a key informant first, then non-neutral stances (they carry the finding),
    then longer quotes (more context), then coding GUID for a stable order."""

    def rank(c: Coding) -> tuple[int, int, int, str]:
        src = project.source(c.source)
        infs = [project.informant(g) for g in (src.informants if src else ())]
        key = any(i is not None and i.key_informant for i in infs)
        return (0 if key else 1, 0 if c.stance != "netral" else 1, -(c.end - c.start), c.guid)

    chosen: list[Quote] = []
    voices: set[str] = set()
    for c in sorted(codings, key=rank):
        src = project.source(c.source)
        if src is None:
            continue
        voice_keys = set(src.informants) or {"source:" + src.guid}
        if voice_keys <= voices:  # adds no voice not yet quoted
            continue
        voices |= voice_keys
        codes = tuple(
            i.code for i in (project.informant(g) for g in src.informants) if i is not None
        )
        chosen.append(Quote(c.guid, src.guid, codes, c.stance, _clip(src.text[c.start : c.end], max_chars)))
        if len(chosen) >= limit:
            break
    return tuple(chosen)


def evidence_for(
    project: Project, key: str, code_guids: Iterable[str], *, quotes: int = 3
) -> Evidence:
    """Triangulate the codings of ``code_guids`` together.

    Method triangulation: codings from at least two source types. Source triangulation: the
    interview sources holding the codings name at least two distinct informants. Convergence:
    all non-neutral stances are the same; with no non-neutral coding (also with no coding at
    all) there is no verdict, None, never "converges"."""
    guids = tuple(sorted(set(code_guids)))
    wanted = set(guids)
    codings = [c for c in project.codings if c.code in wanted]
    by_type = {t: 0 for t in SOURCE_TYPES}
    by_informant: Counter[str] = Counter()
    interview_informants: set[str] = set()
    stances = {s: 0 for s in STANCES}
    for c in codings:
        src = project.source(c.source)
        if src is None:
            continue
        by_type[src.type] = by_type.get(src.type, 0) + 1
        stances[c.stance] = stances.get(c.stance, 0) + 1
        for g in src.informants:
            inf = project.informant(g)
            by_informant[inf.code if inf else g] += 1
            if src.type == "wawancara":
                interview_informants.add(g)
    polar = {s for s, n in stances.items() if n and s != "netral"}
    return Evidence(
        key=key,
        codes=guids,
        codings=len(codings),
        by_source_type=by_type,
        by_informant=dict(sorted(by_informant.items())),
        method_triangulation=sum(1 for n in by_type.values() if n) >= 2,
        source_triangulation=len(interview_informants) >= 2,
        converges=None if not polar else len(polar) == 1,
        stances=stances,
        quotes=strongest_quotes(project, codings, limit=quotes) if quotes else (),
    )


def code_matrix(project: Project, *, quotes: int = 3) -> list[Evidence]:
    """One row per code (its own codings, not its children's), sorted by name then GUID."""
    return [
        evidence_for(project, code.name, [code.guid], quotes=quotes)
        for code in sorted(project.codes, key=lambda c: (c.name, c.guid))
    ]


def matrix_json(project: Project) -> list[dict[str, object]]:
    """Output of ``kinerja evidence matrix --format json``."""
    return [row.to_json() for row in code_matrix(project, quotes=0)]


def group_key(project: Project, code: Code) -> str:
    """The dimension or factor a code rolls up to: its own link, else the nearest ancestor's
    link, else the name of its top-level ancestor (so an unlinked subtree still rolls up)."""
    seen: set[str] = set()
    current: Code | None = code
    top = code
    while current is not None and current.guid not in seen:
        if current.link:
            return current.link
        seen.add(current.guid)
        top = current
        current = project.code(current.parent) if current.parent else None
    return top.name


def rollup(project: Project, *, quotes: int = 3) -> list[Evidence]:
    """Triangulation per dimension or factor over all codes that roll up to it, sorted by key."""
    groups: dict[str, list[str]] = defaultdict(list)
    for code in project.codes:
        groups[group_key(project, code)].append(code.guid)
    return [evidence_for(project, key, guids, quotes=quotes) for key, guids in sorted(groups.items())]


def frequency_by_source_type(project: Project) -> dict[str, dict[str, int]]:
    """code guid -> source type -> number of codings."""
    out: dict[str, dict[str, int]] = {c.guid: {t: 0 for t in SOURCE_TYPES} for c in project.codes}
    for c in project.codings:
        src = project.source(c.source)
        if src is not None and c.code in out:
            out[c.code][src.type] = out[c.code].get(src.type, 0) + 1
    return out


def frequency_by_role(project: Project) -> dict[str, dict[str, int]]:
    """code guid -> informant role -> number of codings in sources where that role speaks.

    A coding in a source with two informants of one role counts once for that role."""
    out: dict[str, Counter[str]] = {c.guid: Counter() for c in project.codes}
    for c in project.codings:
        src = project.source(c.source)
        if src is None or c.code not in out:
            continue
        roles = {inf.role for inf in (project.informant(g) for g in src.informants) if inf is not None}
        for role in roles:
            out[c.code][role] += 1
    return {guid: dict(sorted(counts.items())) for guid, counts in out.items()}


def cooccurrence(project: Project, coder: str | None = None) -> dict[tuple[str, str], int]:
    """(code guid a, code guid b), a < b -> number of paragraph units in which a coding of a and a
    coding of b overlap each other (their shared span falls in that unit).

    ``coder`` restricts to one coder's codings, so two coders' disagreement is not read as a
    relation between codes."""
    by_source: dict[str, list[Coding]] = defaultdict(list)
    for c in project.codings:
        if coder is None or c.coder == coder:
            by_source[c.source].append(c)
    counts: Counter[tuple[str, str]] = Counter()
    for source_guid, codings in by_source.items():
        src = project.source(source_guid)
        if src is None:
            continue
        for unit_start, unit_end in paragraph_units(src.text):
            inside = [c for c in codings if c.start < unit_end and unit_start < c.end]
            pairs: set[tuple[str, str]] = set()
            for i, a in enumerate(inside):
                for b in inside[i + 1 :]:
                    if a.code == b.code:
                        continue
                    lo, hi = max(a.start, b.start, unit_start), min(a.end, b.end, unit_end)
                    if lo < hi:
                        pairs.add((a.code, b.code) if a.code < b.code else (b.code, a.code))
            counts.update(pairs)
    return dict(sorted(counts.items()))
