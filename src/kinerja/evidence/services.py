"""Writes to the evidence workspace. Every write happens in one evaluation and checks first that the
acting person may open it (``evidence.access``: its members and its unit's section head), then
validates all of its input before it writes anything, inside one transaction,
so a refused file or project leaves the database exactly as it was.

Exports that carry transcripts (QDPX, coded segments) are audited with a reason; reading a source
in the workspace is not audited per view (evidence.md), the export is."""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kinerja.evidence import access, crypto
from kinerja.evidence.access import OPERATOR, Actor, Operator
from kinerja.evidence.analysis import records, refiqda
from kinerja.evidence.analysis import sources as source_reader
from kinerja.evidence.analysis.records import EvidenceError, Message
from kinerja.evidence.models import (
    COLOUR_REGEX,
    LINK_REGEX,
    SOURCE_TYPES,
    STANCES,
    Code,
    Coding,
    CodingChange,
    Evaluation,
    ImportedCoder,
    Informant,
    Memo,
    Source,
    SourceGroup,
)
from kinerja.register import permissions
from kinerja.register.models import Staff

SOURCE_TYPE_CODES = tuple(t for t, _l in SOURCE_TYPES)
STANCE_CODES = tuple(s for s, _l in STANCES)
CODEBOOK_FILE = "codebook_default.toml"
_EN_MARK = "\n\nEnglish: "
_CHILD_LABEL_RE = re.compile(r"^(?P<code>.+?) · (?P<initials>[A-Za-z]{1,4}), (?P<age>\d{1,2}) th$")
_INITIALS_AGE_RE = re.compile(r"^(?P<initials>[A-Za-z]{1,4}), (?P<age>\d{1,2}) th$")


__all__ = ["OPERATOR", "Actor", "Operator"]


class EvidenceInputError(EvidenceError):
    """Input refused; nothing was written. ``messages`` are bilingual (records.Message)."""


def bilingual(text: Any, **params: Any) -> Message:
    """A translatable message rendered in Indonesian and in English, for errors that the CLI shows
    in both languages and the web shows in the user's."""
    rendered = []
    for lang in ("id", "en"):
        with translation.override(lang):
            value = str(text)
            rendered.append(value % params if params else value)
    return Message(rendered[0], rendered[1])


def refuse(text: Any, **params: Any) -> EvidenceInputError:
    """One refusal message as an error to raise."""
    return EvidenceInputError([bilingual(text, **params)])


_fail = refuse


def require_workspace(actor: object) -> None:
    """Evaluators and section heads work in the workspace (permissions.CAN_SEE_EVIDENCE)."""
    access.require_role(actor)


def require_member(actor: object, evaluation: Evaluation) -> Evaluation:
    """The evaluation, if ``actor`` may work in it (see evidence.access)."""
    return access.require(actor, evaluation)


def _person(actor: object) -> Staff | None:
    return actor if isinstance(actor, Staff) else None


def upload_limit() -> int:
    """Largest file accepted, in bytes (KINERJA_MAX_UPLOAD_MB, the web upload limit too)."""
    return int(settings.KINERJA.max_upload_mb) * 1024 * 1024


# --------------------------------------------------------------------------- evaluations

EVALUATION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def create_evaluation(
    actor: Actor,
    *,
    code: str,
    title: str,
    unit: Any,
    period_start: date,
    period_end: date,
    members: Sequence[Staff] = (),
    default_codebook: bool = True,
) -> Evaluation:
    """A new evaluation of ``unit``, with the default codebook unless told not to (a project to
    be imported brings its own). The creator (an evaluator, or the
    unit's own section head) becomes a member; members must be evaluators or section heads."""
    require_workspace(actor)
    person = _person(actor)
    code = code.strip().lower()
    title = title.strip()
    problems: list[Message] = []
    if not EVALUATION_CODE_RE.match(code):
        problems.append(bilingual(_("The evaluation code must be 1 to 64 lowercase letters, digits or dashes.")))
    elif Evaluation.objects.filter(code=code).exists():
        problems.append(bilingual(_("An evaluation with code %(code)s already exists."), code=code))
    if not title or len(title) > 200:
        problems.append(bilingual(_("The title must have 1 to 200 characters.")))
    if unit is None:
        problems.append(bilingual(_("An evaluation needs a unit.")))
    elif person is not None and person.role == permissions.KASI and person.unit_id != unit.pk:
        problems.append(bilingual(_("A section head starts evaluations of their own unit only.")))
    if not (isinstance(period_start, date) and isinstance(period_end, date) and period_start < period_end):
        problems.append(bilingual(_("The period must start before it ends (the end date is exclusive).")))
    for m in members:
        if permissions.role_of(m) not in permissions.CAN_SEE_EVIDENCE:
            problems.append(bilingual(_("%(username)s cannot be a member (only evaluators and section heads)."),
                                      username=m.username))
    if problems:
        raise EvidenceInputError(problems)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(code=code, title=title, unit=unit, period_start=period_start,
                                               period_end=period_end)
        evaluation.members.set({*members, *([person] if person else [])})
        if default_codebook:
            ensure_default_codebook(evaluation)
    return evaluation


def add_member(actor: Actor, evaluation: Evaluation, user: Staff) -> None:
    """Add an evaluator or section head to the evaluation (a member adds them)."""
    require_member(actor, evaluation)
    if permissions.role_of(user) not in permissions.CAN_SEE_EVIDENCE or not user.is_active:
        raise refuse(_("%(username)s cannot be a member (only evaluators and section heads)."), username=user.username)
    evaluation.members.add(user)


# --------------------------------------------------------------------------- informants


def add_informant(
    actor: Actor,
    evaluation: Evaluation,
    code: str,
    *,
    role: str = "",
    key_informant: bool = False,
    sampling_reason: str = "",
    is_child: bool = False,
    initials: str = "",
    age: int | None = None,
    consent_recorded: bool = False,
) -> Informant:
    """Record an informant by pseudonym. A child needs recorded consent, initials and an age
    under 18; an adult gets neither initials nor age (they would only identify)."""
    require_member(actor, evaluation)
    code = code.strip()
    initials = initials.strip().upper()
    problems: list[Message] = []
    if not code or len(code) > 64:
        problems.append(bilingual(_("The pseudonym code must have 1 to 64 characters.")))
    elif Informant.objects.filter(evaluation=evaluation, code=code).exists():
        problems.append(bilingual(_("An informant with code %(code)s already exists."), code=code))
    if is_child:
        if not consent_recorded:
            problems.append(bilingual(_("A child informant can only be recorded with consent recorded.")))
        if not re.fullmatch(r"[A-Z]{1,4}", initials):
            problems.append(bilingual(_("A child informant needs initials of 1 to 4 letters.")))
        if age is None or not 0 <= age < 18:
            problems.append(bilingual(_("A child informant needs an age from 0 to 17.")))
    elif initials or age is not None:
        problems.append(bilingual(_("Initials and age are recorded for child informants only.")))
    if problems:
        raise EvidenceInputError(problems)
    return Informant.objects.create(
        evaluation=evaluation, code=code, role=role.strip()[:200], key_informant=key_informant, sampling_reason=sampling_reason.strip(),
        is_child=is_child, initials=initials if is_child else "", age=age if is_child else None,
        consent_recorded=consent_recorded,
    )


def _informants_by_code(evaluation: Evaluation, codes: Iterable[str]) -> tuple[list[Informant], list[Message]]:
    wanted = [c.strip() for c in codes if c.strip()]
    found = {i.code: i for i in Informant.objects.filter(evaluation=evaluation, code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    return [found[c] for c in wanted if c in found], [
        bilingual(_("Unknown informant code: %(code)s"), code=c) for c in missing
    ]


# --------------------------------------------------------------------------- sources


@dataclass
class ImportedSources:
    sources: list[Source]
    notes: list[Message] = field(default_factory=list)


def import_sources(
    actor: Actor,
    evaluation: Evaluation,
    files: Sequence[tuple[str, bytes]],
    *,
    source_type: str,
    informants: Sequence[str] = (),
    source_date: date | None = None,
    titles: Sequence[str] | None = None,
    max_bytes: int | None = None,
) -> ImportedSources:
    """Import (file name, bytes) pairs as sources of one type: all of them or none.

    Every file is read first (.txt, .md, .docx, .pdf through evidence.analysis.sources, capped at
    ``max_bytes``, default the upload limit); any problem in any file refuses the whole batch with
    every message, prefixed by the file's name."""
    require_member(actor, evaluation)
    limit = upload_limit() if max_bytes is None else max_bytes
    problems: list[Message] = []
    if source_type not in SOURCE_TYPE_CODES:
        problems.append(bilingual(_("Unknown source type %(type)s; use wawancara, observasi or dokumentasi."),
                                  type=source_type))
    people, missing = _informants_by_code(evaluation, informants)
    problems.extend(missing)
    if not files:
        problems.append(bilingual(_("No file to import.")))
    if titles is not None and len(titles) != len(files):
        raise ValueError("one title per file")
    read: list[tuple[str, str, str]] = []  # (file name, title, text)
    notes: list[Message] = []
    for i, (name, data) in enumerate(files):
        base = PurePath(name).name
        try:
            result = source_reader.read_source(data, base, max_bytes=limit)
        except source_reader.SourceReadError as exc:
            problems.extend(Message(f"{base}: {m.id}", f"{base}: {m.en}") for m in exc.messages)
            continue
        notes.extend(Message(f"{base}: {m.id}", f"{base}: {m.en}") for m in result.notes)
        title = (titles[i] if titles is not None else PurePath(base).stem).strip() or base
        if len(title) > 300:
            problems.append(bilingual(_("%(file)s: the title is longer than 300 characters."), file=base))
        if len(base) > 255:
            problems.append(bilingual(_("%(file)s: the file name is longer than 255 characters."), file=base[:40]))
        read.append((base, title, result.text))
    if problems:
        raise EvidenceInputError(problems)
    created: list[Source] = []
    with transaction.atomic():
        for base, title, text in read:
            uid = uuid.uuid4()
            source = Source.objects.create(
                uid=uid, evaluation=evaluation, type=source_type, date=source_date, title=title, file_name=base,
                text_enc=crypto.encrypt_source_text(uid, text), length=len(text), created_by=_person(actor),
            )
            if people:
                source.informants.set(people)
            created.append(source)
    return ImportedSources(created, notes)


def import_source(actor: Actor, evaluation: Evaluation, data: bytes, filename: str, **kwargs: Any) -> Source:
    """One file; see :func:`import_sources`."""
    title = kwargs.pop("title", None)
    return import_sources(actor, evaluation, [(filename, data)], titles=[title] if title else None,
                          **kwargs).sources[0]


def source_text(source: Source) -> str:
    """Decrypted text of a source. Callers check the role (selectors.source_text does)."""
    return crypto.decrypt_source_text(source.uid, source.text_enc)


# --------------------------------------------------------------------------- codings and memos


def add_coding(
    actor: Actor,
    source: Source,
    code: Code,
    start: int,
    end: int,
    *,
    stance: str = "netral",
    memo: str = "",
    coder: Staff | None = None,
) -> Coding:
    """Code text[start:end] of ``source`` (code points, end exclusive) with a code of the same
    evaluation. The coder is the acting user; only the operator (sample loader, CLI) may name
    another coder. The coding's history starts here."""
    require_member(actor, source.evaluation)
    person = _person(actor)
    if person is not None and coder is not None and coder.pk != person.pk:
        raise _fail(_("You can only add codings as yourself."))
    coder = person or coder
    problems: list[Message] = []
    if coder is None:
        problems.append(bilingual(_("A coding needs a coder.")))
    if stance not in STANCE_CODES:
        problems.append(bilingual(_("Unknown stance %(stance)s; use mendukung, menghambat or netral."), stance=stance))
    if code.evaluation_id != source.evaluation_id:
        problems.append(bilingual(_("Code %(code)s belongs to another evaluation's codebook."), code=code.name))
    elif not code.codable:
        problems.append(bilingual(_("Code %(code)s groups other codes and cannot be applied itself."), code=code.name))
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= source.length):
        problems.append(bilingual(
            _("Offsets %(start)s-%(end)s fall outside the text, which has %(length)s characters (start < end, 0-based, end exclusive)."),
            start=start, end=end, length=source.length))
    if problems:
        raise EvidenceInputError(problems)
    uid = uuid.uuid4()
    with transaction.atomic():
        coding = Coding.objects.create(
            uid=uid, source=source, code=code, coder=coder, start=start, end=end, stance=stance,
            memo_enc=crypto.encrypt_coding_memo(uid, memo.strip()) if memo.strip() else None,
        )
        CodingChange.objects.create(coding=coding, action="tambah", by=person or coder, after=_coding_state(coding))
    return coding


def _coding_state(coding: Coding) -> dict[str, Any]:
    """What a history entry keeps of a coding: never the memo's text (a note), only whether it has one."""
    return {"kode": str(coding.code.uid), "nama_kode": coding.code.name, "sikap": coding.stance,
            "mulai": coding.start, "selesai": coding.end, "memo": coding.memo_enc is not None}


def _require_own_coding(actor: object, coding: Coding) -> Staff | None:
    """Only the coder changes or removes a coding (agreement compares coders; one coder's
    judgement is not another's to rewrite); the operator may act for anyone."""
    require_member(actor, coding.source.evaluation)
    if coding.removed_at is not None:
        raise refuse(_("This coding was removed."))
    person = _person(actor)
    if person is not None and person.pk != coding.coder_id:
        raise refuse(_("Only the coder who made a coding can change or remove it."))
    return person


def change_coding(
    actor: Actor,
    coding: Coding,
    *,
    code: Code | None = None,
    stance: str | None = None,
    memo: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Coding:
    """Change a coding's code, stance, memo or span; the state before is kept in its history."""
    person = _require_own_coding(actor, coding)
    new_start = coding.start if start is None else start
    new_end = coding.end if end is None else end
    problems: list[Message] = []
    if stance is not None and stance not in STANCE_CODES:
        problems.append(bilingual(_("Unknown stance %(stance)s; use mendukung, menghambat or netral."), stance=stance))
    if code is not None and code.evaluation_id != coding.source.evaluation_id:
        problems.append(bilingual(_("Code %(code)s belongs to another evaluation's codebook."), code=code.name))
    elif code is not None and not code.codable:
        problems.append(bilingual(_("Code %(code)s groups other codes and cannot be applied itself."), code=code.name))
    if not (isinstance(new_start, int) and isinstance(new_end, int) and 0 <= new_start < new_end <= coding.source.length):
        problems.append(bilingual(
            _("Offsets %(start)s-%(end)s fall outside the text, which has %(length)s characters (start < end, 0-based, end exclusive)."),
            start=new_start, end=new_end, length=coding.source.length))
    if problems:
        raise EvidenceInputError(problems)
    before = _coding_state(coding)
    if code is not None:
        coding.code = code
    if stance is not None:
        coding.stance = stance
    coding.start, coding.end = new_start, new_end
    memo_changed = memo is not None and memo.strip() != coding_memo(coding)
    if memo is not None and memo_changed:
        coding.memo_enc = crypto.encrypt_coding_memo(coding.uid, memo.strip()) if memo.strip() else None
    after = _coding_state(coding)
    if after == before and not memo_changed:
        return coding
    if memo_changed:
        after["memo_diubah"] = True
    with transaction.atomic():
        coding.save()
        CodingChange.objects.create(coding=coding, action="ubah", by=person, before=before, after=after)
    return coding


def remove_coding(actor: Actor, coding: Coding) -> Coding:
    """Take a coding out of every analysis; it stays in the history (and can be read there)."""
    person = _require_own_coding(actor, coding)
    with transaction.atomic():
        coding.removed_at = timezone.now()
        coding.removed_by = person
        coding.save(update_fields=["removed_at", "removed_by", "updated_at"])
        CodingChange.objects.create(coding=coding, action="hapus", by=person, before=_coding_state(coding))
    return coding


def add_memo(
    actor: Actor,
    evaluation: Evaluation,
    text: str,
    *,
    code: Code | None = None,
    source: Source | None = None,
    coding: Coding | None = None,
    title: str = "",
    author: Staff | None = None,
) -> Memo:
    """A memo on one code, source or coding of the evaluation (or on the whole evaluation)."""
    require_member(actor, evaluation)
    if not text.strip():
        raise _fail(_("A memo needs text."))
    if sum(x is not None for x in (code, source, coding)) > 1:
        raise _fail(_("A memo belongs to one code, one source or one coding."))
    target = code or source
    if (target is not None and target.evaluation_id != evaluation.pk) or (
            coding is not None and coding.source.evaluation_id != evaluation.pk):
        raise _fail(_("The memo's code, source or coding belongs to another evaluation."))
    uid = uuid.uuid4()
    return Memo.objects.create(
        uid=uid, evaluation=evaluation, title=title.strip()[:200], text_enc=crypto.encrypt_memo(uid, text.strip()),
        author=_person(actor) or author, code=code, source=source, coding=coding,
    )


def memo_text(memo: Memo) -> str:
    return crypto.decrypt_memo(memo.uid, memo.text_enc)


def coding_memo(coding: Coding) -> str:
    return crypto.decrypt_coding_memo(coding.uid, coding.memo_enc) if coding.memo_enc is not None else ""


# --------------------------------------------------------------------------- codebook


def default_codebook_entries() -> list[dict[str, Any]]:
    """The entries of the packaged default codebook (codebook_default.toml)."""
    text = resources.files("kinerja.evidence").joinpath(CODEBOOK_FILE).read_text(encoding="utf-8")
    return list(tomllib.loads(text)["kode"])


def default_code_uid(name: str) -> uuid.UUID:
    """Stable GUID of a default code, the same in every installation."""
    return uuid.UUID(refiqda.derived_guid("kode-bawaan", name))


def ensure_default_codebook(evaluation: Evaluation) -> list[Code]:
    """Create the default codes that are missing from the evaluation's codebook (matched by their
    stable GUID, the same in every evaluation); returns the created ones. Idempotent."""
    entries = default_codebook_entries()
    mine = Code.objects.filter(evaluation=evaluation)
    existing = set(mine.filter(uid__in=[default_code_uid(e["name"]) for e in entries]).values_list("uid", flat=True))
    created: list[Code] = []
    with transaction.atomic():
        by_name = {c.name: c for c in mine.filter(uid__in=existing)}
        for e in entries:  # parents come first in the file
            uid = default_code_uid(e["name"])
            if uid in existing:
                continue
            parent = by_name.get(e["parent"]) if e.get("parent") else None
            if e.get("parent") and parent is None:
                raise ValueError(f"default code {e['name']!r} comes before its parent {e['parent']!r}")
            code = Code.objects.create(
                uid=uid, evaluation=evaluation, parent=parent, name=e["name"], name_en=e.get("name_en", ""),
                description_id=e.get("description_id", ""), description_en=e.get("description_en", ""),
                colour=e.get("colour", ""), link=e.get("link", ""), codable=e.get("codable", True),
            )
            by_name[code.name] = code
            created.append(code)
    return created


def code_description(code: Code) -> str:
    """The one REFI-QDA description of a code: the Indonesian description, then an ``English:``
    line with the English name and description, which :func:`split_description` reads back."""
    if not (code.name_en or code.description_en):
        return code.description_id
    english = f"English: {code.name_en}" + (f"\n{code.description_en}" if code.description_en else "")
    return f"{code.description_id}\n\n{english}" if code.description_id else english


def split_description(text: str) -> tuple[str, str, str]:
    """(description_id, name_en, description_en) from a description written by code_description;
    a description from another tool stays whole in description_id."""
    if text.startswith("English: "):
        id_part, en_part = "", text[len("English: "):]
    elif _EN_MARK in text:
        id_part, en_part = text.rsplit(_EN_MARK, 1)
    else:
        return text, "", ""
    name_en, _sep, desc_en = en_part.partition("\n")
    return id_part, name_en.strip(), desc_en.strip()


# --------------------------------------------------------------------------- codebook editing


def _code_fields(evaluation: Evaluation, name: str, link: str, colour: str, *, exclude: int | None = None
                 ) -> list[Message]:
    problems: list[Message] = []
    if not name or len(name) > 200:
        problems.append(bilingual(_("A code name must have 1 to 200 characters.")))
    if link and (not re.match(LINK_REGEX, link) or len(link) > 120):
        problems.append(bilingual(_("The link %(link)s is not dimensi:..., measure:... or kendala:...."), link=link))
    if colour and not re.match(COLOUR_REGEX, colour):
        problems.append(bilingual(_("The colour %(colour)s is not #RRGGBB."), colour=colour))
    return problems


def add_code(actor: Actor, evaluation: Evaluation, name: str, *, parent: Code | None = None, description: str = "",
             colour: str = "", link: str = "", codable: bool = True) -> Code:
    """A new code in the evaluation's codebook, under ``parent`` if given."""
    require_member(actor, evaluation)
    name, link, colour = name.strip(), link.strip(), colour.strip()
    problems = _code_fields(evaluation, name, link, colour)
    if parent is not None and parent.evaluation_id != evaluation.pk:
        problems.append(bilingual(_("The parent code belongs to another evaluation.")))
    if problems:
        raise EvidenceInputError(problems)
    return Code.objects.create(evaluation=evaluation, parent=parent, name=name, description_id=description.strip(),
                               colour=colour, link=link, codable=codable)


def edit_code(actor: Actor, code: Code, *, name: str | None = None, description: str | None = None,
              link: str | None = None, colour: str | None = None) -> Code:
    """Rename a code, or change its description, colour or its link to a dimension, measure or factor."""
    require_member(actor, code.evaluation)
    new_name = code.name if name is None else name.strip()
    new_link = code.link if link is None else link.strip()
    new_colour = code.colour if colour is None else colour.strip()
    problems = _code_fields(code.evaluation, new_name, new_link, new_colour)
    if problems:
        raise EvidenceInputError(problems)
    code.name, code.link, code.colour = new_name, new_link, new_colour
    if description is not None:
        code.description_id = description.strip()
    code.save()
    return code


def move_code(actor: Actor, code: Code, parent: Code | None) -> Code:
    """Put a code under another (or at the top); never under itself or its own descendants."""
    require_member(actor, code.evaluation)
    if parent is not None:
        if parent.evaluation_id != code.evaluation_id:
            raise refuse(_("The parent code belongs to another evaluation."))
        node: Code | None = parent
        while node is not None:
            if node.pk == code.pk:
                raise refuse(_("A code cannot be moved under itself or one of its own sub-codes."))
            node = node.parent
    code.parent = parent
    code.save(update_fields=["parent", "updated_at"])
    return code


def merge_codes(actor: Actor, code: Code, into: Code) -> Code:
    """Merge ``code`` into ``into``: its codings (removed ones too, so the history still points
    somewhere), memos and sub-codes move over, then ``code`` is deleted. Recorded in each moved
    coding's history."""
    require_member(actor, code.evaluation)
    if into.evaluation_id != code.evaluation_id:
        raise refuse(_("The parent code belongs to another evaluation."))
    if into.pk == code.pk:
        raise refuse(_("A code cannot be merged into itself."))
    node: Code | None = into
    while node is not None:
        if node.pk == code.pk:
            raise refuse(_("A code cannot be merged into one of its own sub-codes."))
        node = node.parent
    if not into.codable and Coding.with_removed.filter(code=code).exists():
        raise refuse(_("Code %(code)s groups other codes and cannot be applied itself."), code=into.name)
    person = _person(actor)
    with transaction.atomic():
        for coding in Coding.objects.filter(code=code).select_related("code"):
            before = _coding_state(coding)
            coding.code = into
            coding.save(update_fields=["code", "updated_at"])
            CodingChange.objects.create(coding=coding, action="ubah", by=person, before=before,
                                        after=_coding_state(coding))
        Coding.with_removed.filter(code=code).update(code=into)
        Memo.objects.filter(code=code).update(code=into)
        Code.objects.filter(parent=code).update(parent=into)
        code.delete()
        into.save(update_fields=["updated_at"])
    return into


# --------------------------------------------------------------------------- REFI-QDA import


@dataclass
class ImportSummary:
    codes: int = 0
    codes_reused: int = 0
    informants: int = 0
    informants_reused: int = 0
    sources: int = 0
    codings: int = 0
    memos: int = 0
    users_created: list[str] = field(default_factory=list)
    users_mapped: list[str] = field(default_factory=list)
    groups: int = 0
    warnings: list[Message] = field(default_factory=list)

    def report(self) -> str:
        """Both languages, one line each, then the warnings."""
        lines = [
            f"Diimpor: {self.sources} sumber, {self.codings} koding, {self.codes} kode baru "
            f"({self.codes_reused} sudah ada), {self.informants} informan baru ({self.informants_reused} sudah ada), "
            f"{self.memos} memo, {len(self.users_created)} pengkode baru, {len(self.users_mapped)} pengkode dipetakan "
            f"ke akun, {self.groups} grup sumber",
            f"Imported: {self.sources} sources, {self.codings} codings, {self.codes} new codes "
            f"({self.codes_reused} existing), {self.informants} new informants ({self.informants_reused} existing), "
            f"{self.memos} memos, {len(self.users_created)} new coders, {len(self.users_mapped)} coders mapped to "
            f"accounts, {self.groups} source groups",
        ]
        lines += [f"  ! {w}" for w in self.warnings]
        return "\n".join(lines)


class _Plan:
    """What an import will write, worked out and checked before the transaction opens."""

    def __init__(self) -> None:
        self.problems: list[Message] = []
        self.warnings: list[Message] = []

    def error(self, text: Any, **params: Any) -> None:
        self.problems.append(bilingual(text, **params))

    def warn(self, text: Any, **params: Any) -> None:
        self.warnings.append(bilingual(text, **params))


def _normal_link(link: str | None, plan: _Plan, code_name: str) -> str:
    if not link:
        return ""
    prefix, sep, rest = link.strip().partition(":")
    value = f"{prefix.lower()}{sep}{rest}"
    if not re.match(LINK_REGEX, value) or len(value) > 120:
        plan.warn(_("The link %(link)s of code %(code)s is not dimensi:, measure: or kendala:...; it was dropped."),
                  link=link, code=code_name)
        return ""
    return value


def _plan_codes(evaluation: Evaluation, codes: Sequence[records.Code], plan: _Plan
                ) -> tuple[list[records.Code], dict[str, int]]:
    """New codes to create (parents first) and guid -> pk of the evaluation's codes that exist."""
    uids = [uuid.UUID(c.guid) for c in codes]
    existing = {str(u): pk for u, pk in Code.objects.filter(evaluation=evaluation, uid__in=uids)
                .values_list("uid", "pk")}
    new = [c for c in codes if c.guid not in existing]
    for c in new:
        if len(c.name) > 200:
            plan.error(_("The code name %(name)s is longer than 200 characters."), name=c.name[:40] + "…")
        if c.colour and not re.match(COLOUR_REGEX, c.colour):
            plan.error(_("The colour %(colour)s of code %(name)s is not #RRGGBB."), colour=c.colour, name=c.name)
    ordered: list[records.Code] = []
    placed = set(existing)
    pending = list(new)
    while pending:  # parents before children, whatever order the file had
        ready = [c for c in pending if c.parent is None or c.parent in placed]
        if not ready:
            plan.error(_("The code tree refers to parents that are not in the file."))
            break
        ordered += ready
        placed |= {c.guid for c in ready}
        pending = [c for c in pending if c.guid not in placed]
    return ordered, existing


def _create_codes(evaluation: Evaluation, codes: Sequence[records.Code], existing: dict[str, int],
                  plan: _Plan) -> dict[str, int]:
    pks = dict(existing)
    for c in codes:
        description_id, name_en, description_en = split_description(c.description)
        obj = Code.objects.create(
            uid=uuid.UUID(c.guid), evaluation=evaluation, parent_id=pks[c.parent] if c.parent else None, name=c.name, name_en=name_en[:200],
            description_id=description_id, description_en=description_en, colour=c.colour or "",
            link=_normal_link(c.link, plan, c.name), codable=c.codable,
        )
        pks[c.guid] = obj.pk
    return pks


def _child_fields(inf: records.Informant) -> tuple[str, str, int | None]:
    """(code, initials, age) of an imported informant; a child's label "CODE · SH, 14 th" (as
    Kinerja exports it) or "SH, 14 th" is read back into its parts."""
    if not inf.is_child:
        return inf.code, "", None
    m = _CHILD_LABEL_RE.match(inf.code)
    if m and int(m["age"]) < 18:
        return m["code"], m["initials"].upper(), int(m["age"])
    m = _INITIALS_AGE_RE.match(inf.code)
    if m and int(m["age"]) < 18:
        return f"A-{inf.guid[:8]}", m["initials"].upper(), int(m["age"])
    return inf.code, "", None


def _plan_informants(evaluation: Evaluation, informants: Sequence[records.Informant], plan: _Plan
                     ) -> tuple[list[Informant], dict[str, int]]:
    uids = [uuid.UUID(i.guid) for i in informants]
    existing = {str(u): pk for u, pk in Informant.objects.filter(evaluation=evaluation, uid__in=uids)
                .values_list("uid", "pk")}
    new: list[Informant] = []
    for inf in informants:
        if inf.guid in existing:
            continue
        code, initials, age = _child_fields(inf)
        if inf.is_child and not inf.consent_recorded:
            plan.error(_("Informant %(code)s is a child without recorded consent; record the consent first."), code=code)
        if not code or len(code) > 64:
            plan.error(_("The informant code %(code)s must have 1 to 64 characters."), code=code[:40])
        new.append(Informant(uid=uuid.UUID(inf.guid), evaluation=evaluation, code=code, role=inf.role[:200], key_informant=inf.key_informant,
                             sampling_reason=inf.sampling_reason, is_child=inf.is_child, initials=initials, age=age,
                             consent_recorded=inf.consent_recorded))
    codes = [i.code for i in new]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        plan.error(_("Two informants in the file have the code %(code)s."), code=dup)
    for taken in Informant.objects.filter(evaluation=evaluation, code__in=codes).values_list("code", flat=True):
        plan.error(_("Another informant already has the code %(code)s."), code=taken)
    return new, existing


@dataclass
class _Coders:
    """How the coders of an imported project become users: ``mapped`` name -> pk of an account
    the importer named, ``reused`` name -> pk of an imported coder of an earlier import,
    ``to_create`` names that get a new workspace coder."""

    mapped: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    to_create: list[str] = field(default_factory=list)


def _plan_users(evaluation: Evaluation, names: Iterable[str], user_map: dict[str, str], plan: _Plan) -> _Coders:
    """Imported users are coders of the workspace, never an account that exists already, unless
    ``user_map`` (REFI-QDA user name -> username) maps them to one explicitly."""
    wanted = sorted(set(names))
    coders = _Coders()
    for qda_name in sorted(set(user_map) - set(wanted)):
        plan.error(_("The project has no user %(name)s to map; its users are: %(names)s."),
                   name=qda_name, names=", ".join(wanted) or "-")
    accounts = {u.username: u for u in Staff.objects.filter(username__in=set(user_map.values()))}
    for qda_name, username in sorted(user_map.items()):
        account = accounts.get(username)
        if account is None:
            plan.error(_("There is no account %(username)s to map the user %(name)s to."), username=username,
                       name=qda_name)
        elif account.role not in permissions.CAN_SEE_EVIDENCE:
            plan.error(_("The account %(username)s cannot code in the evidence workspace (its role is %(role)s)."),
                       username=username, role=account.role)
        elif not access.can_open(account, evaluation):
            plan.error(_("The account %(username)s is not a member of this evaluation."), username=username)
        elif qda_name in wanted:
            coders.mapped[qda_name] = account.pk
    earlier = dict(ImportedCoder.objects.filter(name__in=wanted).values_list("name", "account_id"))
    for name in wanted:
        if name in coders.mapped or name in user_map:
            continue
        if name in earlier:
            coders.reused[name] = earlier[name]
        elif not name.strip() or len(name) > 150:
            plan.error(_("The REFI-QDA user name %(name)s cannot be a username (1 to 150 characters)."),
                       name=name[:40])
        else:
            coders.to_create.append(name)
    return coders


def _coder_username(name: str) -> str:
    """A username for a new imported coder: the project's own name when no account has it,
    else the name marked as imported, so it can never be mistaken for that account."""
    candidate, n = name, 1
    while Staff.objects.filter(username=candidate).exists():
        mark = "~impor" if n == 1 else f"~impor{n}"
        candidate = name[: 150 - len(mark)] + mark
        n += 1
    return candidate


def _create_coders(names: Sequence[str]) -> dict[str, int]:
    """Imported REFI-QDA users become workspace coders: each an inactive evaluator account of its
    own without a usable password, so their codings keep a coder but nobody can sign in as them."""
    pks: dict[str, int] = {}
    for name in names:
        user = Staff(username=_coder_username(name), role=permissions.EVALUATOR, is_active=False,
                     full_name=name[:200])
        user.set_unusable_password()
        user.save()
        ImportedCoder.objects.create(name=name, account=user)
        pks[name] = user.pk
    return pks


def import_qdc(actor: Actor, evaluation: Evaluation, data: bytes) -> ImportSummary:
    """Add the codes of a QDC codebook to the evaluation's; codes whose GUID it already has are
    kept as they are."""
    require_member(actor, evaluation)
    try:
        codes = refiqda.read_qdc(data, max_bytes=upload_limit())
    except refiqda.RefiQdaError as exc:
        raise EvidenceInputError(exc.messages) from exc
    plan = _Plan()
    new, existing = _plan_codes(evaluation, codes, plan)
    if plan.problems:
        raise EvidenceInputError(plan.problems)
    with transaction.atomic():
        _create_codes(evaluation, new, existing, plan)
    return ImportSummary(codes=len(new), codes_reused=len(existing), warnings=plan.warnings)


def import_qdpx(actor: Actor, evaluation: Evaluation, data: bytes, *, default_source_type: str | None = None,
                user_map: dict[str, str] | None = None) -> ImportSummary:
    """Import a REFI-QDA project: all of it or nothing.

    Sources in no source-type set get ``default_source_type``, or without it the neutral
    ``dokumentasi`` with a notice. The project's users become workspace coders (see
    :class:`ImportedCoder`); ``user_map`` maps a REFI-QDA user name to an existing account instead.

    The file is parsed and fully checked by evidence.analysis.refiqda, then against the workspace
    (a source or memo that is already here, a child without consent, an informant code in use);
    only then are codes, informants, coders, sources, codings and memos written in one
    transaction. Codes and informants with a GUID already in the evaluation are reused."""
    require_member(actor, evaluation)
    if default_source_type is not None and default_source_type not in SOURCE_TYPE_CODES:
        raise _fail(_("Unknown source type %(type)s; use wawancara, observasi or dokumentasi."), type=default_source_type)
    try:
        result = refiqda.read_qdpx(data, max_bytes=upload_limit(), default_source_type=default_source_type)
    except refiqda.RefiQdaError as exc:
        raise EvidenceInputError(exc.messages) from exc
    project = result.project
    plan = _Plan()
    plan.warnings.extend(result.warnings)

    new_codes, existing_codes = _plan_codes(evaluation, project.codes, plan)
    new_informants, existing_informants = _plan_informants(evaluation, project.informants, plan)
    names = {u.name for u in project.users} | {c.coder for c in project.codings}
    names |= {m.author for m in project.memos if m.author}
    coders = _plan_users(evaluation, names, user_map or {}, plan)
    users = {**coders.mapped, **coders.reused}

    source_uids = [uuid.UUID(s.guid) for s in project.sources]
    for title in Source.objects.filter(uid__in=source_uids).values_list("title", flat=True):
        plan.error(_("The source %(title)s is already in the workspace; this project was imported before."),
                   title=title)
    for s in project.sources:
        if not s.text:
            plan.error(_("The source %(title)s has no text."), title=s.name)
    memos = [m for m in project.memos if m.text.strip()]
    if len(memos) < len(project.memos):
        plan.warn(_("%(n)s empty memos were skipped."), n=len(project.memos) - len(memos))
    memo_uids = [uuid.UUID(m.guid) for m in memos]
    if Memo.objects.filter(uid__in=memo_uids).exists():
        plan.error(_("Some memos of this project are already in the workspace."))
    if plan.problems:
        raise EvidenceInputError(plan.problems)

    try:
        with transaction.atomic():
            users.update(_create_coders(coders.to_create))
            code_pks = _create_codes(evaluation, new_codes, existing_codes, plan)
            Informant.objects.bulk_create(new_informants)
            informant_pks = dict(existing_informants)
            informant_pks.update(
                (str(u), pk) for u, pk in Informant.objects.filter(evaluation=evaluation,
                                                                   uid__in=[i.uid for i in new_informants])
                .values_list("uid", "pk"))
            person = _person(actor)
            Source.objects.bulk_create([
                Source(uid=uuid.UUID(s.guid), evaluation=evaluation, type=s.type, date=s.date, title=s.name[:300],
                       file_name="", text_enc=crypto.encrypt_source_text(s.guid, s.text), length=len(s.text),
                       created_by=person)
                for s in project.sources
            ], batch_size=500)
            source_pks = {str(u): pk for u, pk in Source.objects.filter(uid__in=source_uids).values_list("uid", "pk")}
            through = Source.informants.through
            through.objects.bulk_create([
                through(source_id=source_pks[s.guid], informant_id=informant_pks[g])
                for s in project.sources for g in s.informants
            ], batch_size=2000)
            Coding.objects.bulk_create([
                Coding(uid=uuid.UUID(c.guid), source_id=source_pks[c.source], code_id=code_pks[c.code],
                       coder_id=users[c.coder], start=c.start, end=c.end, stance=c.stance,
                       memo_enc=crypto.encrypt_coding_memo(c.guid, c.memo) if c.memo else None)
                for c in project.codings
            ], batch_size=2000)
            coding_pks: dict[str, int] = {}
            if any(m.target_kind == "coding" for m in memos):
                coding_pks = {str(u): pk for u, pk in Coding.objects.filter(source_id__in=source_pks.values())
                              .values_list("uid", "pk")}
            _create_groups(evaluation, project.groups, source_pks)
            Memo.objects.bulk_create([
                Memo(uid=uuid.UUID(m.guid), evaluation=evaluation, title=m.title[:200], text_enc=crypto.encrypt_memo(m.guid, m.text),
                     author_id=users.get(m.author) if m.author else None,
                     code_id=code_pks[m.target] if m.target_kind == "code" and m.target else None,
                     source_id=source_pks[m.target] if m.target_kind == "source" and m.target else None,
                     coding_id=coding_pks[m.target] if m.target_kind == "coding" and m.target else None)
                for m in memos
            ], batch_size=500)
    except IntegrityError as exc:  # a GUID clash the checks above could not see; nothing was kept
        raise _fail(_("The project clashes with records already in the workspace (%(detail)s); nothing was imported."),
                    detail=type(exc).__name__) from exc
    return ImportSummary(
        codes=len(new_codes), codes_reused=len(existing_codes), informants=len(new_informants),
        informants_reused=len(existing_informants), sources=len(project.sources), codings=len(project.codings),
        memos=len(memos), users_created=list(coders.to_create), users_mapped=sorted(coders.mapped),
        groups=len(project.groups), warnings=plan.warnings,
    )


def _create_groups(evaluation: Evaluation, groups: Sequence[records.SourceGroup], source_pks: dict[str, int]) -> None:
    """Source groups of an imported project; a group already here (same GUID) gains the members."""
    through = SourceGroup.sources.through
    for g in groups:
        group, _created = SourceGroup.objects.get_or_create(evaluation=evaluation, uid=uuid.UUID(g.guid),
                                                            defaults={"name": g.name[:200]})
        through.objects.bulk_create([through(sourcegroup_id=group.pk, source_id=source_pks[s]) for s in g.sources],
                                    ignore_conflicts=True)


# --------------------------------------------------------------------------- exports


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _fail(_("State the reason for this export (at least 5 characters)."))
    return reason


def require_exporter(actor: object) -> Staff:
    """Exports carry transcripts: they need a named user with a workspace role, for the audit."""
    if not isinstance(actor, Staff):
        raise _fail(_("An export needs the username of the person exporting (--user)."))
    require_workspace(actor)
    return actor


# --------------------------------------------------------------------------- keys


def reencrypt_evidence(**_signal: object) -> int:
    """Re-encrypt every source text and memo with the keyring's current key (after a key
    rotation); returns how many ciphertexts were rewritten. Connected to the register's
    ``keys_rotated`` signal, so the register never imports the evidence area."""
    count = 0
    with transaction.atomic():
        for source in Source.objects.only("uid", "text_enc").iterator(chunk_size=500):
            source.text_enc = crypto.encrypt_source_text(source.uid, source_text(source))
            source.save(update_fields=["text_enc"])
            count += 1
        for memo in Memo.objects.only("uid", "text_enc").iterator(chunk_size=500):
            memo.text_enc = crypto.encrypt_memo(memo.uid, memo_text(memo))
            memo.save(update_fields=["text_enc"])
            count += 1
        for coding in Coding.with_removed.exclude(memo_enc=None).only("uid", "memo_enc").iterator(chunk_size=2000):
            coding.memo_enc = crypto.encrypt_coding_memo(coding.uid, coding_memo(coding))
            coding.save(update_fields=["memo_enc"])
            count += 1
    return count
