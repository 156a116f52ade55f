"""Frozen records of the qualitative-evidence workspace (evidence.md, "Records").

The Django layer converts its models to and from these, so agreement, triangulation, search and
REFI-QDA exchange work on one plain shape and can be tested without a database.

Offsets in :class:`Coding` are Unicode code points, 0-based, end exclusive, exactly as Python
indexes a ``str`` and as REFI-QDA counts, so ``source.text[coding.start:coding.end]`` is the quote.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

SOURCE_TYPES: tuple[str, ...] = ("wawancara", "observasi", "dokumentasi")
STANCES: tuple[str, ...] = ("mendukung", "menghambat", "netral")
MEMO_TARGETS: tuple[str, ...] = ("project", "code", "source", "coding")

_GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COLOUR_RE = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


@dataclass(frozen=True)
class Message:
    """One problem, worded for the user in Indonesian first and English second."""

    id: str
    en: str

    def __str__(self) -> str:
        return f"{self.id} / {self.en}"


class EvidenceError(Exception):
    """Base of the errors these modules raise; ``messages`` holds every problem found, so a
    user sees all of them at once instead of fixing a file one error at a time."""

    def __init__(self, messages: Iterable[Message]) -> None:
        self.messages: list[Message] = list(messages)
        super().__init__("; ".join(m.en for m in self.messages))


@dataclass(frozen=True)
class User:
    """A coder; ``name`` is the username that agreement reports show."""

    guid: str
    name: str


@dataclass(frozen=True)
class Code:
    """A codebook entry; ``link`` ties it to a dimension, measure or inhibiting factor,
    e.g. ``"dimensi:responsivitas"``, ``"measure:ikm"``, ``"kendala:anggaran"``."""

    guid: str
    name: str
    description: str = ""
    colour: str | None = None
    parent: str | None = None
    link: str | None = None
    codable: bool = True


@dataclass(frozen=True)
class Informant:
    """A key or ordinary informant, known only by a pseudonym ``code``."""

    guid: str
    code: str
    role: str = ""
    key_informant: bool = False
    sampling_reason: str = ""
    is_child: bool = False
    consent_recorded: bool = False


@dataclass(frozen=True)
class Source:
    """An interview, observation note or document, with its plain text."""

    guid: str
    name: str
    type: str
    text: str
    date: date | None = None
    informants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coding:
    """Code ``code`` applied by ``coder`` (a username) to ``text[start:end]`` of ``source``."""

    guid: str
    source: str
    start: int
    end: int
    code: str
    coder: str
    stance: str = "netral"
    memo: str = ""


@dataclass(frozen=True)
class Memo:
    """Free text on the project, a code, a source or a coding (``target_kind``/``target``)."""

    guid: str
    text: str
    target_kind: str = "project"
    target: str | None = None
    title: str = ""
    author: str | None = None


@dataclass(frozen=True)
class SourceGroup:
    """A named group of sources (a REFI-QDA set of documents that does not name a source type),
    kept so that a project read from another tool and written back still has its groups."""

    guid: str
    name: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """Everything one evidence workspace holds, as tuples so the container stays immutable."""

    name: str = "Kinerja"
    users: tuple[User, ...] = ()
    codes: tuple[Code, ...] = ()
    sources: tuple[Source, ...] = ()
    informants: tuple[Informant, ...] = ()
    codings: tuple[Coding, ...] = ()
    memos: tuple[Memo, ...] = ()
    groups: tuple[SourceGroup, ...] = ()

    @cached_property
    def _codes(self) -> dict[str, Code]:
        return {c.guid: c for c in self.codes}

    @cached_property
    def _sources(self) -> dict[str, Source]:
        return {s.guid: s for s in self.sources}

    @cached_property
    def _informants(self) -> dict[str, Informant]:
        return {i.guid: i for i in self.informants}

    # Lookups by GUID, built once per (immutable) project.
    def code(self, guid: str) -> Code | None:
        return self._codes.get(guid)

    def source(self, guid: str) -> Source | None:
        return self._sources.get(guid)

    def informant(self, guid: str) -> Informant | None:
        return self._informants.get(guid)

    def coder_names(self) -> list[str]:
        """Every coder that made a coding, sorted: these are the raters agreement compares."""
        return sorted({c.coder for c in self.codings})


def normalize_guid(value: str) -> str | None:
    """Lower-case GUID without braces, or None when ``value`` is not a GUID.

    REFI-QDA allows both cases and ``{...}``; tools differ, so references are compared this way."""
    text = value.strip().lower()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return text if _GUID_RE.match(text) else None


def is_colour(value: str) -> bool:
    return bool(_COLOUR_RE.match(value))


def _duplicates(guids: Iterable[str]) -> list[str]:
    return sorted(g for g, n in Counter(guids).items() if n > 1)


def check_project(project: Project, *, strict_guids: bool = False) -> list[Message]:
    """Every integrity problem of ``project``; empty when it is consistent.

    Used before an import returns and before an export is written, so neither half-writes.
    ``strict_guids`` also demands canonical GUIDs, which REFI-QDA export needs."""
    errors: list[Message] = []
    kinds: list[tuple[str, str, Iterable[str]]] = [
        ("pengguna", "user", (u.guid for u in project.users)),
        ("kode", "code", (c.guid for c in project.codes)),
        ("sumber", "source", (s.guid for s in project.sources)),
        ("informan", "informant", (i.guid for i in project.informants)),
        ("koding", "coding", (c.guid for c in project.codings)),
        ("memo", "memo", (m.guid for m in project.memos)),
        ("grup sumber", "source group", (g.guid for g in project.groups)),
    ]
    for kind_id, kind_en, guids in kinds:
        guid_list = list(guids)
        for dup in _duplicates(guid_list):
            errors.append(Message(f"GUID {kind_id} ganda: {dup}", f"Duplicate {kind_en} GUID: {dup}"))
        if strict_guids:
            for g in guid_list:
                if normalize_guid(g) != g:
                    errors.append(
                        Message(
                            f"GUID {kind_id} tidak sah (harus huruf kecil 8-4-4-4-12): {g!r}",
                            f"Invalid {kind_en} GUID (must be lower-case 8-4-4-4-12): {g!r}",
                        )
                    )
    for dup in _duplicates(u.name for u in project.users):
        errors.append(Message(f"Nama pengguna ganda: {dup}", f"Duplicate user name: {dup}"))

    codes = {c.guid: c for c in project.codes}
    for code in project.codes:
        if not code.name.strip():
            errors.append(Message(f"Kode {code.guid} tidak bernama", f"Code {code.guid} has no name"))
        if code.colour is not None and not is_colour(code.colour):
            errors.append(
                Message(
                    f"Warna kode {code.name!r} bukan #RRGGBB: {code.colour!r}",
                    f"Colour of code {code.name!r} is not #RRGGBB: {code.colour!r}",
                )
            )
        if code.parent is not None and code.parent not in codes:
            errors.append(
                Message(
                    f"Induk kode {code.name!r} tidak dikenal: {code.parent}",
                    f"Unknown parent of code {code.name!r}: {code.parent}",
                )
            )
    for code in project.codes:  # cycles: walk up at most len(codes) steps
        seen = {code.guid}
        parent = code.parent
        while parent is not None and parent in codes:
            if parent in seen:
                errors.append(
                    Message(
                        f"Pohon kode berputar pada {code.name!r}",
                        f"The code tree has a cycle at {code.name!r}",
                    )
                )
                break
            seen.add(parent)
            parent = codes[parent].parent

    informants = {i.guid for i in project.informants}
    sources = {s.guid: s for s in project.sources}
    for source in project.sources:
        if source.type not in SOURCE_TYPES:
            errors.append(
                Message(
                    f"Jenis sumber {source.name!r} tidak dikenal: {source.type!r}",
                    f"Unknown type of source {source.name!r}: {source.type!r}",
                )
            )
        for inf in source.informants:
            if inf not in informants:
                errors.append(
                    Message(
                        f"Sumber {source.name!r} merujuk informan yang tidak dikenal: {inf}",
                        f"Source {source.name!r} refers to an unknown informant: {inf}",
                    )
                )

    for group in project.groups:
        if not group.name.strip():
            errors.append(Message(f"Grup sumber {group.guid} tidak bernama", f"Source group {group.guid} has no name"))
        for member in group.sources:
            if member not in sources:
                errors.append(
                    Message(
                        f"Grup sumber {group.name!r} merujuk sumber yang tidak dikenal: {member}",
                        f"Source group {group.name!r} refers to an unknown source: {member}",
                    )
                )

    for coding in project.codings:
        src = sources.get(coding.source)
        if src is None:
            errors.append(
                Message(
                    f"Koding {coding.guid} merujuk sumber yang tidak dikenal: {coding.source}",
                    f"Coding {coding.guid} refers to an unknown source: {coding.source}",
                )
            )
        elif not 0 <= coding.start < coding.end <= len(src.text):
            errors.append(
                Message(
                    f"Posisi koding {coding.guid} ({coding.start}-{coding.end}) di luar teks "
                    f"{src.name!r} yang panjangnya {len(src.text)} karakter",
                    f"Offsets of coding {coding.guid} ({coding.start}-{coding.end}) fall outside "
                    f"the text of {src.name!r}, which is {len(src.text)} characters long",
                )
            )
        if coding.code not in codes:
            errors.append(
                Message(
                    f"Koding {coding.guid} merujuk kode yang tidak dikenal: {coding.code}",
                    f"Coding {coding.guid} refers to an unknown code: {coding.code}",
                )
            )
        if coding.stance not in STANCES:
            errors.append(
                Message(
                    f"Sikap koding {coding.guid} tidak dikenal: {coding.stance!r}",
                    f"Unknown stance of coding {coding.guid}: {coding.stance!r}",
                )
            )
        if not coding.coder:
            errors.append(
                Message(f"Koding {coding.guid} tanpa pengkode", f"Coding {coding.guid} has no coder")
            )

    targets = {
        "code": set(codes),
        "source": set(sources),
        "coding": {c.guid for c in project.codings},
    }
    for memo in project.memos:
        if memo.target_kind not in MEMO_TARGETS:
            errors.append(
                Message(
                    f"Sasaran memo {memo.guid} tidak dikenal: {memo.target_kind!r}",
                    f"Unknown target kind of memo {memo.guid}: {memo.target_kind!r}",
                )
            )
        elif memo.target_kind != "project" and memo.target not in targets[memo.target_kind]:
            errors.append(
                Message(
                    f"Memo {memo.guid} merujuk {memo.target_kind} yang tidak dikenal: {memo.target}",
                    f"Memo {memo.guid} refers to an unknown {memo.target_kind}: {memo.target}",
                )
            )
    return errors
