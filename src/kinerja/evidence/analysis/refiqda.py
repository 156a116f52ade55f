"""REFI-QDA 1.5 exchange: QDC codebooks and QDPX projects (evidence.md, "Exchange").

Mapping: users = coders; codebook = codes (nested by parent); cases = informants with variables
(peran, informan_kunci, alasan_sampling, anak, persetujuan_tercatat) and SourceRefs to their
sources; TextSource with one PlainTextSelection per coding, holding one Coding by
``creatingUser``; notes = memos; sets = source types (sets named ``wawancara``, ``observasi``,
``dokumentasi`` or their English names, with MemberSource), source groups (any other set of
sources) and code links (sets named by the link, e.g.
``dimensi:responsivitas``, with MemberCode). REFI-QDA has no place for a coding's stance, so it is
written as the selection's Description ``sikap: menghambat``; a coding's own memo is a Note whose
GUID is derived from the coding's, so it comes back as the memo and not as a separate one.

Offsets: REFI-QDA counts Unicode code points, as Python indexes ``str``, and every export does;
on import each source's positions are read as their maker meant them (:mod:`.positions`),
checked against the selection's ``name`` (which exports write too). Source files are UTF-8;
a BOM is stripped before counting (it is not part of the text) and nothing else is changed, in
particular not line breaks, so offsets written by another tool still point at the same
characters. Exports write UTF-8 without BOM.

Import is lenient where real tools differ (empty ``<Sets/>``, zip member names in any case,
``internal://``, ``relative://`` or bare relative paths, inline PlainTextContent, GUIDs in any
case or in braces, positions counted the way NVivo or a CRLF export counts them: see
:mod:`.positions`) and strict about meaning: the whole file is parsed into a :class:`Project` and
checked before anything is returned, so a caller that writes only on success writes nothing on
error. Every problem found is reported at once in :class:`RefiQdaError`.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from posixpath import basename
from urllib.parse import unquote

from lxml import etree

from . import positions
from .records import (
    SOURCE_TYPES,
    STANCES,
    Code,
    Coding,
    EvidenceError,
    Informant,
    Memo,
    Message,
    Project,
    Source,
    SourceGroup,
    User,
    check_project,
    is_colour,
    normalize_guid,
)
from .sources import SourceReadError, decode_text

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 100_000
# A member that inflates more than this many times and past 10 MB is treated as a zip bomb.
MAX_RATIO = 100
_RATIO_FLOOR = 10 * 1024 * 1024

_NS = uuid.UUID("5b7f1d4e-2f0c-4d5e-9a51-6b696e65726a")  # namespace for GUIDs derived on export
_LINK_RE = re.compile(r"^(dimensi|measure|kendala|faktor|indikator):\S+$", re.IGNORECASE)
_LINK_MARK = "kinerja:tautan"
_TYPE_MARK = "kinerja:jenis_sumber"
_STANCE_RE = re.compile(r"^\s*sikap\s*:\s*(\w+)\s*$", re.IGNORECASE | re.MULTILINE)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_TYPE_ALIASES = {
    "wawancara": "wawancara",
    "interview": "wawancara",
    "interviews": "wawancara",
    "observasi": "observasi",
    "observation": "observasi",
    "observations": "observasi",
    "dokumentasi": "dokumentasi",
    "dokumen": "dokumentasi",
    "document": "dokumentasi",
    "documents": "dokumentasi",
    "documentation": "dokumentasi",
}
_VAR_ALIASES = {
    "peran": "role",
    "role": "role",
    "jabatan": "role",
    "informan_kunci": "key",
    "key_informant": "key",
    "alasan_sampling": "reason",
    "alasan_pemilihan": "reason",
    "sampling_reason": "reason",
    "anak": "child",
    "child": "child",
    "persetujuan_tercatat": "consent",
    "consent": "consent",
    "tanggal": "date",
    "date": "date",
}
_TRUE = {"true", "1", "ya", "yes", "y"}
# Type of a source that no set types, when the importer names none: a document claims least. An
# interview would count towards source triangulation and a mix of guesses towards method
# triangulation; "dokumentasi" adds to neither until the user says what the source is.
NEUTRAL_SOURCE_TYPE = "dokumentasi"


class RefiQdaError(EvidenceError):
    """A REFI-QDA file could not be imported or a project not exported; see ``messages``."""


@dataclass(frozen=True)
class ImportResult:
    project: Project
    warnings: tuple[Message, ...] = ()


def derived_guid(kind: str, key: str) -> str:
    """A stable GUID for things Kinerja does not store (selections, sets, variables), so the
    same project always exports to the same bytes."""
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


# --------------------------------------------------------------------------- XML helpers


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _kid(el: etree._Element, name: str) -> etree._Element | None:
    found = _kids(el, name)
    return found[0] if found else None


def _attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in el.attrib.items():
        if etree.QName(key).localname.lower() == lowered:
            return str(val)
    return None


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _parse_xml(data: bytes, what: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise RefiQdaError(
            [
                Message(
                    f"XML {what} rusak (baris {exc.lineno}): {exc.msg}",
                    f"Malformed XML in {what} (line {exc.lineno}): {exc.msg}",
                )
            ]
        ) from exc
    if root is None:
        raise RefiQdaError([Message(f"XML {what} kosong", f"Empty XML in {what}")])
    return root


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (only memos and names go into XML)."""
    return _XML_BAD.sub("", text)


@lru_cache(maxsize=2)
def _schema(name: str) -> etree.XMLSchema:
    path = resources.files("kinerja.evidence.analysis").joinpath("schemas", name)
    with path.open("rb") as fh:
        return etree.XMLSchema(etree.parse(fh))


def _validate(root: etree._Element, schema_name: str) -> None:
    schema = _schema(schema_name)
    if not schema.validate(root):
        raise RefiQdaError(
            Message(f"Ekspor tidak sah menurut {schema_name}: {e.message}", f"Export fails {schema_name}: {e.message}")
            for e in schema.error_log
        )


def _serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --------------------------------------------------------------------------- problems


class _Problems:
    def __init__(self) -> None:
        self.errors: list[Message] = []
        self.warnings: list[Message] = []

    def error(self, id_text: str, en_text: str) -> None:
        self.errors.append(Message(id_text, en_text))

    def warn(self, id_text: str, en_text: str) -> None:
        self.warnings.append(Message(id_text, en_text))

    def guid(self, raw: str | None, what_id: str, what_en: str) -> str | None:
        if raw is None:
            self.error(f"{what_id} tanpa GUID", f"{what_en} without a GUID")
            return None
        guid = normalize_guid(raw)
        if guid is None:
            self.error(f"GUID {what_id} tidak sah: {raw!r}", f"Invalid {what_en} GUID: {raw!r}")
        return guid

    def raise_if_any(self) -> None:
        if self.errors:
            raise RefiQdaError(self.errors)


def _ref(el: etree._Element, name: str) -> list[str]:
    """Normalised targetGUIDs of the ``name`` children (CodeRef, NoteRef, ...)."""
    out = []
    for child in _kids(el, name):
        guid = normalize_guid(_attr(child, "targetGUID") or "")
        if guid:
            out.append(guid)
    return out


# --------------------------------------------------------------------------- codebook


def _read_codes(
    codes_el: etree._Element, problems: _Problems
) -> tuple[list[Code], dict[str, list[str]]]:
    """Codes depth-first with their parents, and code guid -> NoteRef targets."""
    codes: list[Code] = []
    notes: dict[str, list[str]] = {}

    def walk(el: etree._Element, parent: str | None) -> None:
        for child in _kids(el, "Code"):
            guid = problems.guid(_attr(child, "guid"), "kode", "code")
            name = (_attr(child, "name") or "").strip()
            colour = _attr(child, "color")
            if colour is not None and not is_colour(colour.strip()):
                problems.warn(
                    f"Warna kode {name!r} diabaikan: {colour!r}", f"Colour of code {name!r} ignored: {colour!r}"
                )
                colour = None
            codable = (_attr(child, "isCodable") or "true").strip().lower() in _TRUE
            if guid is None:
                continue
            codes.append(
                Code(
                    guid=guid,
                    name=name or guid,
                    description=_text(_kid(child, "Description")).strip(),
                    colour=colour.strip() if colour else None,
                    parent=parent,
                    codable=codable,
                )
            )
            notes[guid] = _ref(child, "NoteRef")
            walk(child, guid)

    walk(codes_el, None)
    return codes, notes


def _code_links(sets_el: etree._Element | None) -> dict[str, str]:
    """code guid -> link, from sets that name a dimension, measure or factor."""
    links: dict[str, str] = {}
    if sets_el is None:
        return links
    for set_el in sorted(_kids(sets_el, "Set"), key=lambda s: _attr(s, "name") or ""):
        name = (_attr(set_el, "name") or "").strip()
        marked = _text(_kid(set_el, "Description")).strip().lower().startswith(_LINK_MARK)
        if not name or not (marked or _LINK_RE.match(name)):
            continue
        for member in _kids(set_el, "MemberCode"):  # guid in a QDC, targetGUID in a project
            guid = normalize_guid(_attr(member, "targetGUID") or _attr(member, "guid") or "")
            if guid:
                links.setdefault(guid, name)
    return links


def read_qdc(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Code, ...]:
    """Codes of a QDC codebook, parents before children; links restored from link sets.

    Lenient as Taguette needs (an empty ``<Sets/>``); raises :class:`RefiQdaError` for malformed
    XML, a wrong root, invalid or duplicate GUIDs, or a file over ``max_bytes``."""
    if len(data) > max_bytes:
        raise RefiQdaError([_too_big(len(data), max_bytes)])
    root = _parse_xml(data, "codebook")
    if _local(root) != "CodeBook":
        raise RefiQdaError(
            [
                Message(
                    f"Bukan codebook REFI-QDA: elemen akar {_local(root)!r}",
                    f"Not a REFI-QDA codebook: root element {_local(root)!r}",
                )
            ]
        )
    problems = _Problems()
    codes_el = _kid(root, "Codes")
    codes: list[Code] = []
    if codes_el is not None:
        codes, _ = _read_codes(codes_el, problems)
    links = _code_links(_kid(root, "Sets"))
    codes = [replace(c, link=links.get(c.guid)) for c in codes]
    problems.errors.extend(check_project(Project(codes=tuple(codes))))
    problems.raise_if_any()
    return tuple(codes)


def _code_tree(codes: Sequence[Code]) -> dict[str | None, list[Code]]:
    children: dict[str | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent].append(code)
    for kids in children.values():
        kids.sort(key=lambda c: (c.name, c.guid))
    return children


def _write_code(parent_el: etree._Element, ns: str, code: Code, tree: dict[str | None, list[Code]],
                note_refs: dict[str, list[str]] | None) -> None:
    el = etree.SubElement(parent_el, f"{{{ns}}}Code", guid=code.guid, name=_clean(code.name),
                          isCodable="true" if code.codable else "false")
    if code.colour:
        el.set("color", code.colour)
    if code.description:
        etree.SubElement(el, f"{{{ns}}}Description").text = _clean(code.description)
    for note in (note_refs or {}).get(code.guid, []):
        etree.SubElement(el, f"{{{ns}}}NoteRef", targetGUID=note)
    for child in tree.get(code.guid, []):
        _write_code(el, ns, child, tree, note_refs)


def _link_sets(parent_el: etree._Element, ns: str, codes: Sequence[Code]) -> None:
    by_link: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        if code.link:
            by_link[code.link].append(code.guid)
    member_attr = "guid" if ns == CODEBOOK_NS else "targetGUID"
    for link in sorted(by_link):
        set_el = etree.SubElement(parent_el, f"{{{ns}}}Set", guid=derived_guid("link", link), name=_clean(link))
        etree.SubElement(set_el, f"{{{ns}}}Description").text = f"{_LINK_MARK} (tautan kode / code link)"
        for guid in sorted(by_link[link]):
            etree.SubElement(set_el, f"{{{ns}}}MemberCode", {member_attr: guid})


def write_qdc(codes: Sequence[Code], *, origin: str = "Kinerja") -> bytes:
    """A QDC codebook, valid against Codebook.xsd, codes sorted by name under each parent and
    links as sets; deterministic. Raises :class:`RefiQdaError` for an empty or inconsistent
    codebook."""
    problems = _Problems()
    problems.errors.extend(check_project(Project(codes=tuple(codes)), strict_guids=True))
    if not codes:
        problems.error("Codebook kosong: REFI-QDA menuntut paling sedikit satu kode",
                       "Empty codebook: REFI-QDA requires at least one code")
    problems.raise_if_any()
    ns = CODEBOOK_NS
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns}, origin=origin)
    codes_el = etree.SubElement(root, f"{{{ns}}}Codes")
    tree = _code_tree(codes)
    for code in tree.get(None, []):
        _write_code(codes_el, ns, code, tree, None)
    if any(c.link for c in codes):
        _link_sets(etree.SubElement(root, f"{{{ns}}}Sets"), ns, codes)
    _validate(root, "Codebook.xsd")
    return _serialize(root)


# --------------------------------------------------------------------------- zip reading


def _too_big(size: int, limit: int) -> Message:
    return Message(
        f"Berkas terlalu besar: {size} bita setelah dibuka, batasnya {limit} bita",
        f"File too large: {size} bytes uncompressed, the limit is {limit} bytes",
    )


class _Zip:
    """Zip members matched case-insensitively, read with a running byte budget."""

    def __init__(self, data: bytes, max_bytes: int) -> None:
        if len(data) > max_bytes:
            raise RefiQdaError([_too_big(len(data), max_bytes)])
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
            raise RefiQdaError(
                [Message("Berkas QDPX bukan arsip zip yang sah", "The QDPX file is not a valid zip archive")]
            ) from exc
        infos = [i for i in self.zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise RefiQdaError(
                [Message(f"Arsip berisi terlalu banyak berkas ({len(infos)})",
                         f"The archive holds too many files ({len(infos)})")]
            )
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            raise RefiQdaError([_too_big(total, max_bytes)])
        for info in infos:
            if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise RefiQdaError(
                    [Message(f"Arsip mencurigakan (bom zip): {info.filename}",
                             f"Suspicious archive (zip bomb): {info.filename}")]
                )
        self.max_bytes = max_bytes
        self.budget = max_bytes
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self.members.setdefault(info.filename.replace("\\", "/").lower(), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.replace("\\", "/").lower())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        chunks: list[bytes] = []
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    self.budget -= len(chunk)
                    if self.budget < 0:
                        raise RefiQdaError([_too_big(self.max_bytes - self.budget, self.max_bytes)])
                    chunks.append(chunk)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
            raise RefiQdaError(
                [Message(f"Berkas {info.filename} dalam arsip rusak atau terkunci",
                         f"File {info.filename} in the archive is damaged or encrypted")]
            ) from exc
        return b"".join(chunks)


def _find_project_qde(archive: _Zip) -> zipfile.ZipInfo:
    candidates = sorted(
        (info for key, info in archive.members.items() if key.endswith(".qde")),
        key=lambda i: (basename(i.filename.lower()) != "project.qde", i.filename.count("/"), i.filename),
    )
    if not candidates:
        raise RefiQdaError(
            [Message("Arsip QDPX tidak berisi project.qde", "The QDPX archive contains no project.qde")]
        )
    return candidates[0]


def _resolve_path(archive: _Zip, path: str, base: str) -> zipfile.ZipInfo | None:
    """Member for a plainTextPath: ``internal://x`` is in sources/, ``relative://x`` and bare
    paths relative to the project file; absolute ``file://`` paths fall back to the base name."""
    raw = unquote(path.strip().replace("\\", "/"))
    lowered = raw.lower()
    rest = raw
    for prefix in ("internal://", "relative://", "file:///", "file://"):
        if lowered.startswith(prefix):
            rest = raw[len(prefix):]
            break
    rest = rest.lstrip("/").removeprefix("./")
    name = basename(rest)
    for candidate in (f"{base}sources/{rest}", f"{base}{rest}", rest, f"sources/{rest}",
                      f"{base}sources/{name}", f"sources/{name}"):
        info = archive.find(candidate)
        if info is not None:
            return info
    return None


# --------------------------------------------------------------------------- project import


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _variable_values(el: etree._Element, variables: dict[str, str]) -> dict[str, str]:
    """alias ('role', 'key', ...) -> raw value of the element's VariableValues."""
    out: dict[str, str] = {}
    for vv in _kids(el, "VariableValue"):
        refs = _ref(vv, "VariableRef")
        if not refs or refs[0] not in variables:
            continue
        key = re.sub(r"[\s-]+", "_", variables[refs[0]].strip().lower())
        alias = _VAR_ALIASES.get(key)
        if alias is None:
            continue
        for child in vv:
            if isinstance(child.tag, str) and _local(child) != "VariableRef":
                out[alias] = _text(child).strip()
    return out


_READING_LABELS = {
    positions.UTF16: ("satuan UTF-16 (cara NVivo menghitung)", "UTF-16 units (as NVivo counts)"),
    positions.LF_ON_CRLF: ("dihitung pada teks berakhir baris LF, padahal teksnya CRLF",
                           "counted on LF line breaks while the text has CRLF"),
    positions.UTF16_LF_ON_CRLF: ("satuan UTF-16, dihitung pada teks berakhir baris LF",
                                 "UTF-16 units counted on LF line breaks"),
    positions.CODEPOINT: ("code point (standar REFI-QDA)", "code points (the REFI-QDA standard)"),
}
MAX_LISTED = 20  # unconfirmed selections listed one by one per source; the rest are counted


def _report_positions(problems: _Problems, source: str, placed: positions.SourcePlacements,
                      selections: Sequence[positions.Selection]) -> None:
    """Say how the positions of one source were read, which were repaired, and list every
    selection that no reading confirms (with its position) so the user can check it."""
    if not selections:
        return
    if placed.reading != positions.CODEPOINT:
        label_id, label_en = _READING_LABELS[placed.reading]
        problems.warn(f"Posisi di {source!r} dibaca sebagai {label_id}",
                      f"Positions in {source!r} read as {label_en}")
    repaired = [p for p in placed.placements if p is not None and p.status == positions.REPAIRED]
    if repaired:
        readings = sorted({p.reading for p in repaired})
        problems.warn(
            f"{len(repaired)} seleksi di {source!r} bergeser dan diperbaiki (dibaca sebagai "
            f"{', '.join(_READING_LABELS[r][0] for r in readings)})",
            f"{len(repaired)} selections in {source!r} were shifted and repaired (read as "
            f"{', '.join(_READING_LABELS[r][1] for r in readings)})")
    unconfirmed = [(sel, p) for sel, p in zip(selections, placed.placements, strict=True)
                   if p is not None and p.status == positions.UNCONFIRMED]
    for sel, p in unconfirmed[:MAX_LISTED]:
        if sel.name is not None and sel.name.strip():
            why_id, why_en = "teks pada atribut name tidak cocok", "the text in its name attribute does not match"
        else:
            why_id, why_en = "tidak jatuh pada batas kata", "it does not fall on word boundaries"
        problems.warn(
            f"Seleksi {sel.start}-{sel.end} di {source!r} tidak terkonfirmasi ({why_id} pada bacaan mana pun); "
            f"disimpan pada posisi {p.start}-{p.end}, periksa kodingnya",
            f"Selection {sel.start}-{sel.end} in {source!r} is unconfirmed ({why_en} under any reading); "
            f"kept at {p.start}-{p.end}, check its coding")
    if len(unconfirmed) > MAX_LISTED:
        more = len(unconfirmed) - MAX_LISTED
        problems.warn(f"... dan {more} seleksi lain di {source!r} tidak terkonfirmasi",
                      f"... and {more} more unconfirmed selections in {source!r}")


def read_qdpx(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, default_source_type: str | None = None
) -> ImportResult:
    """Parse and fully check a QDPX project; return it only when it is consistent.

    ``max_bytes`` caps the archive and its total unpacked size (zip bombs are refused before
    inflating). Sources in no source-type set get ``default_source_type`` (a warning says how
    many); without one they get :data:`NEUTRAL_SOURCE_TYPE` and a notice asks the user to check
    them. Raises :class:`RefiQdaError` with every problem found."""
    if default_source_type is not None and default_source_type not in SOURCE_TYPES:
        raise ValueError(f"default_source_type must be one of {SOURCE_TYPES}")
    archive = _Zip(data, max_bytes)
    qde = _find_project_qde(archive)
    base = qde.filename.replace("\\", "/")
    base = base[: base.rfind("/") + 1]
    root = _parse_xml(archive.read(qde), qde.filename)
    if _local(root) != "Project":
        raise RefiQdaError(
            [Message(f"project.qde bukan proyek REFI-QDA (akar {_local(root)!r})",
                     f"project.qde is not a REFI-QDA project (root {_local(root)!r})")]
        )
    problems = _Problems()

    def text_of(el: etree._Element, what: str, required: bool = True) -> str | None:
        """Plain text of a TextSource or Note: inline content or a file in the archive."""
        inline = _kid(el, "PlainTextContent")
        if inline is not None:
            return _text(inline)
        path = _attr(el, "plainTextPath")
        if not path and not required:
            return ""
        if not path:
            problems.error(f"{what} tidak memiliki teks polos (PlainTextContent atau plainTextPath)",
                           f"{what} has no plain text (PlainTextContent or plainTextPath)")
            return None
        info = _resolve_path(archive, path, base)
        if info is None:
            problems.error(f"Berkas teks {path!r} untuk {what} tidak ada dalam arsip",
                           f"Text file {path!r} for {what} is not in the archive")
            return None
        try:
            text, notes = decode_text(archive.read(info))
        except SourceReadError as exc:
            for m in exc.messages:
                problems.error(f"{what}: {m.id}", f"{what}: {m.en}")
            return None
        for m in notes:
            problems.warn(f"{what}: {m.id}", f"{what}: {m.en}")
        return text.removeprefix("\ufeff")

    # users
    users: dict[str, str] = {}
    users_el = _kid(root, "Users")
    for user_el in _kids(users_el, "User") if users_el is not None else []:
        guid = problems.guid(_attr(user_el, "guid"), "pengguna", "user")
        if guid:
            users[guid] = (_attr(user_el, "name") or _attr(user_el, "id") or guid).strip() or guid
    taken: dict[str, int] = defaultdict(int)
    for name in users.values():
        taken[name] += 1
    users = {g: (n if taken[n] == 1 else f"{n} ({g[:8]})") for g, n in users.items()}

    def user_name(*raw: str | None) -> str:
        for value in raw:
            if not value:
                continue
            guid = normalize_guid(value)
            if guid is None:
                continue
            if guid not in users:
                problems.warn(f"Pengguna {guid} tidak terdaftar; namanya dipakai GUID-nya",
                              f"User {guid} is not listed; its GUID is used as its name")
                users[guid] = guid
            return users[guid]
        if len(users) == 1:
            return next(iter(users.values()))
        problems.warn("Koding tanpa pengguna dicatat sebagai 'anonim'",
                      "A coding without a user is recorded as 'anonim'")
        return "anonim"

    project_user = _attr(root, "creatingUserGUID")
    prefer_utf16 = positions.prefers_utf16(_attr(root, "origin"))

    # codebook
    codes: list[Code] = []
    code_notes: dict[str, list[str]] = {}
    codebook_el = _kid(root, "CodeBook")
    codes_el = _kid(codebook_el, "Codes") if codebook_el is not None else None
    if codes_el is not None:
        codes, code_notes = _read_codes(codes_el, problems)
    code_guids = {c.guid for c in codes}

    # variables
    variables: dict[str, str] = {}
    variables_el = _kid(root, "Variables")
    for var_el in _kids(variables_el, "Variable") if variables_el is not None else []:
        guid = normalize_guid(_attr(var_el, "guid") or "")
        if guid:
            variables[guid] = _attr(var_el, "name") or ""

    # notes (parsed first, attached to targets below)
    note_els: dict[str, etree._Element] = {}
    notes_el = _kid(root, "Notes")
    for note_el in _kids(notes_el, "Note") if notes_el is not None else []:
        guid = problems.guid(_attr(note_el, "guid"), "catatan", "note")
        if guid:
            note_els[guid] = note_el
    memo_targets: dict[str, tuple[str, str | None]] = {}

    def attach(note_guids: Iterable[str], kind: str, target: str | None) -> None:
        for g in note_guids:
            if g not in note_els:
                problems.warn(f"Rujukan catatan {g} tidak dikenal, diabaikan",
                              f"Reference to unknown note {g} ignored")
                continue
            memo_targets.setdefault(g, (kind, target))

    for code_guid, refs in code_notes.items():
        attach(refs, "code", code_guid)

    # sources and codings
    sources: list[Source] = []
    codings: list[Coding] = []
    coding_memos: dict[str, str] = {}
    skipped = 0
    sources_el = _kid(root, "Sources")
    for src_el in list(sources_el) if sources_el is not None else []:
        kind = _local(src_el)
        if kind != "TextSource":
            if kind:
                skipped += 1
            continue
        guid = problems.guid(_attr(src_el, "guid"), "sumber", "source")
        if guid is None:
            continue
        name = (_attr(src_el, "name") or guid).strip()
        text = text_of(src_el, f"Sumber {name!r}")
        if text is None:
            continue
        values = _variable_values(src_el, variables)
        sources.append(Source(guid=guid, name=name, type="", text=text,
                              date=_date(values["date"]) if "date" in values else None))
        attach(_ref(src_el, "NoteRef"), "source", guid)

        def add_coding(coding_el: etree._Element, start: int, end: int, stance: str,
                       selection_user: str | None, selection_notes: list[str], description: str = "",
                       source_guid: str = guid, source_name: str = name,
                       source_user: str | None = _attr(src_el, "creatingUser")) -> None:
            cguid = problems.guid(_attr(coding_el, "guid"), "koding", "coding")
            refs = _ref(coding_el, "CodeRef")
            if cguid is None:
                return
            if not refs:
                problems.error(f"Koding {cguid} di {source_name!r} tanpa CodeRef",
                               f"Coding {cguid} in {source_name!r} has no CodeRef")
                return
            if refs[0] not in code_guids:
                problems.error(f"Koding {cguid} di {source_name!r} merujuk kode yang tidak dikenal: {refs[0]}",
                               f"Coding {cguid} in {source_name!r} refers to an unknown code: {refs[0]}")
                return
            coder = user_name(_attr(coding_el, "creatingUser"), selection_user, source_user, project_user)
            memo_guid = derived_guid("coding-memo", cguid)
            memo = ""
            other_notes = []
            for note in _ref(coding_el, "NoteRef") + selection_notes:
                if note == memo_guid and note in note_els:
                    memo = text_of(note_els.pop(note), f"Catatan {note}", required=False) or ""
                else:
                    other_notes.append(note)
            memo = memo or description  # a selection's Description is a coding memo elsewhere
            coding_memos[cguid] = memo
            attach(other_notes, "coding", cguid)
            codings.append(Coding(guid=cguid, source=source_guid, start=start, end=end, code=refs[0],
                                  coder=coder, stance=stance, memo=memo))

        raw: list[tuple[etree._Element, positions.Selection]] = []
        for sel in _kids(src_el, "PlainTextSelection"):
            try:
                start = int((_attr(sel, "startPosition") or "").strip())
                end = int((_attr(sel, "endPosition") or "").strip())
            except ValueError:
                problems.error(f"Posisi seleksi di {name!r} bukan bilangan bulat",
                               f"A selection position in {name!r} is not an integer")
                continue
            if start == end:
                problems.warn(f"Seleksi kosong di {name!r} ({start}) diabaikan",
                              f"Empty selection in {name!r} ({start}) ignored")
                continue
            if not _kids(sel, "Coding"):
                continue
            raw.append((sel, positions.Selection(start, end, _attr(sel, "name"))))
        placed = positions.place(text, [r[1] for r in raw], prefer_utf16=prefer_utf16)
        _report_positions(problems, name, placed, [r[1] for r in raw])
        for (sel, selection), placement in zip(raw, placed.placements, strict=True):
            # no reading puts it inside the text: kept as written, so the check of the whole
            # project reports it with the coding's GUID
            start, end = (selection.start, selection.end) if placement is None else (placement.start, placement.end)
            description = _text(_kid(sel, "Description"))
            match = _STANCE_RE.search(description)
            stance = match.group(1).lower() if match and match.group(1).lower() in STANCES else "netral"
            other_memo = _STANCE_RE.sub("", description).strip()
            sel_notes = _ref(sel, "NoteRef")
            for i, coding_el in enumerate(_kids(sel, "Coding")):
                add_coding(coding_el, start, end, stance, _attr(sel, "creatingUser"),
                           sel_notes if i == 0 else [], other_memo)
        for coding_el in _kids(src_el, "Coding"):  # coding of the whole source
            add_coding(coding_el, 0, len(text), "netral", None, [])
    if skipped:
        problems.warn(f"{skipped} sumber bukan teks (gambar, PDF, audio, video) dilewati",
                      f"{skipped} non-text sources (picture, PDF, audio, video) skipped")

    # sets: source types, source groups and code links
    source_guids = {s.guid for s in sources}
    types: dict[str, str] = {}
    groups: list[SourceGroup] = []
    sets_el = _kid(root, "Sets")
    links = _code_links(sets_el)
    for set_el in _kids(sets_el, "Set") if sets_el is not None else []:
        set_name = (_attr(set_el, "name") or "").strip()
        members = [m for m in _ref(set_el, "MemberSource") if m in source_guids]
        set_type = _TYPE_ALIASES.get(set_name.lower())
        if set_type is not None:
            for member in members:
                if types.setdefault(member, set_type) != set_type:
                    problems.warn(f"Sumber {member} ada di dua set jenis; dipakai {types[member]!r}",
                                  f"Source {member} is in two type sets; {types[member]!r} is used")
            continue
        if _kids(set_el, "MemberSource"):
            set_guid = problems.guid(_attr(set_el, "guid"), "set", "set")
            if set_guid is not None:
                groups.append(SourceGroup(guid=set_guid, name=set_name or set_guid,
                                          sources=tuple(sorted(set(members)))))
        elif _kids(set_el, "MemberCode") and not (set_name and _LINK_RE.match(set_name)) \
                and not _text(_kid(set_el, "Description")).strip().lower().startswith(_LINK_MARK):
            problems.warn(f"Set kode {set_name!r} tidak disimpan (Kinerja menyimpan set sumber dan tautan kode)",
                          f"Code set {set_name!r} not kept (Kinerja keeps sets of sources and code links)")
    codes = [replace(c, link=links.get(c.guid)) for c in codes]
    untyped = [s for s in sources if s.guid not in types]
    fallback_type = default_source_type or NEUTRAL_SOURCE_TYPE
    if untyped and default_source_type is None:
        problems.warn(
            f"{len(untyped)} sumber tidak ada di set jenis (wawancara, observasi, dokumentasi) dan dicatat sebagai "
            f"{fallback_type!r}; ubah jenisnya bila perlu, atau impor ulang dengan --type",
            f"{len(untyped)} sources are in no type set (interview, observation, document) and were recorded as "
            f"{fallback_type!r}; change their type where needed, or import again with --type")
    elif untyped:
        problems.warn(f"{len(untyped)} sumber tanpa set jenis dicatat sebagai {fallback_type!r}",
                      f"{len(untyped)} sources in no type set recorded as {fallback_type!r}")

    # cases = informants
    informants: list[Informant] = []
    source_informants: dict[str, list[str]] = defaultdict(list)
    cases_el = _kid(root, "Cases")
    for case_el in _kids(cases_el, "Case") if cases_el is not None else []:
        guid = problems.guid(_attr(case_el, "guid"), "kasus/informan", "case/informant")
        if guid is None:
            continue
        values = _variable_values(case_el, variables)
        informants.append(
            Informant(
                guid=guid,
                code=(_attr(case_el, "name") or guid).strip(),
                role=values.get("role", ""),
                key_informant=values.get("key", "").lower() in _TRUE,
                sampling_reason=values.get("reason", ""),
                is_child=values.get("child", "").lower() in _TRUE,
                consent_recorded=values.get("consent", "").lower() in _TRUE,
            )
        )
        for ref in _ref(case_el, "SourceRef"):
            if ref in source_guids:
                source_informants[ref].append(guid)
            else:
                problems.warn(f"Informan {guid} merujuk sumber yang tidak diimpor: {ref}",
                              f"Informant {guid} refers to a source that was not imported: {ref}")
    sources = [
        replace(s, type=types.get(s.guid, fallback_type),
                informants=tuple(sorted(set(source_informants.get(s.guid, [])))))
        for s in sources
    ]

    # remaining notes = memos
    attach(_ref(root, "NoteRef"), "project", None)
    memos: list[Memo] = []
    for guid, note_el in note_els.items():
        kind, target = memo_targets.get(guid, ("project", None))
        text = text_of(note_el, f"Catatan {guid}", required=False)
        if text is None:
            continue
        author = _attr(note_el, "creatingUser")
        memos.append(Memo(guid=guid, text=text, target_kind=kind, target=target,
                          title=(_attr(note_el, "name") or "").strip(),
                          author=user_name(author) if author else None))

    project = Project(
        name=(_attr(root, "name") or "Impor REFI-QDA").strip(),
        users=tuple(User(g, n) for g, n in sorted(users.items(), key=lambda kv: (kv[1], kv[0]))),
        codes=tuple(codes),
        sources=tuple(sources),
        informants=tuple(informants),
        codings=tuple(codings),
        memos=tuple(memos),
        groups=tuple(sorted(groups, key=lambda g: (g.name, g.guid))),
    )
    problems.errors.extend(check_project(project))
    problems.raise_if_any()
    return ImportResult(project, tuple(dict.fromkeys(problems.warnings)))


# --------------------------------------------------------------------------- project export


def _user_guids(project: Project) -> dict[str, str]:
    """Username -> GUID, adding users for coders and memo authors not in ``project.users``."""
    guids = {u.name: u.guid for u in project.users}
    for name in sorted({c.coder for c in project.codings} | {m.author for m in project.memos if m.author}):
        guids.setdefault(name, derived_guid("user", name))
    return guids


def project_xml(project: Project, *, origin: str = "Kinerja") -> bytes:
    """The ``project.qde`` of :func:`write_qdpx`: sources point to ``internal://<guid>.txt``."""
    problems = _Problems()
    problems.errors.extend(check_project(project, strict_guids=True))
    problems.raise_if_any()
    ns = PROJECT_NS

    def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)

    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name=_clean(project.name) or "Kinerja",
                         origin=origin)
    user_guids = _user_guids(project)
    if user_guids:
        users_el = sub(root, "Users")
        for name, guid in sorted(user_guids.items(), key=lambda kv: (kv[0], kv[1])):
            sub(users_el, "User", guid=guid, name=_clean(name))

    memo_refs: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for memo in project.memos:
        memo_refs[(memo.target_kind, memo.target)].append(memo.guid)
    for refs in memo_refs.values():
        refs.sort()

    if project.codes:
        codes_el = sub(sub(root, "CodeBook"), "Codes")
        tree = _code_tree(project.codes)
        code_notes = {c.guid: memo_refs.get(("code", c.guid), []) for c in project.codes}
        for code in tree.get(None, []):
            _write_code(codes_el, ns, code, tree, code_notes)

    variables = []
    if project.informants:
        variables += [("peran", "Text"), ("informan_kunci", "Boolean"), ("alasan_sampling", "Text"),
                      ("anak", "Boolean"), ("persetujuan_tercatat", "Boolean")]
    if any(s.date for s in project.sources):
        variables.append(("tanggal", "Date"))
    if variables:
        vars_el = sub(root, "Variables")
        for var_name, var_type in variables:
            sub(vars_el, "Variable", guid=derived_guid("variable", var_name), name=var_name,
                typeOfVariable=var_type)

    def value(parent: etree._Element, var_name: str, tag: str, text: str) -> None:
        vv = sub(parent, "VariableValue")
        sub(vv, "VariableRef", targetGUID=derived_guid("variable", var_name))
        sub(vv, tag).text = _clean(text)

    if project.informants:
        sources_of: dict[str, list[str]] = defaultdict(list)
        for item in project.sources:
            for inf_guid in item.informants:
                sources_of[inf_guid].append(item.guid)
        cases_el = sub(root, "Cases")
        for inf in sorted(project.informants, key=lambda i: (i.code, i.guid)):
            case = sub(cases_el, "Case", guid=inf.guid, name=_clean(inf.code))
            if inf.role:
                value(case, "peran", "TextValue", inf.role)
            value(case, "informan_kunci", "BooleanValue", "true" if inf.key_informant else "false")
            if inf.sampling_reason:
                value(case, "alasan_sampling", "TextValue", inf.sampling_reason)
            value(case, "anak", "BooleanValue", "true" if inf.is_child else "false")
            value(case, "persetujuan_tercatat", "BooleanValue", "true" if inf.consent_recorded else "false")
            for src_guid in sorted(sources_of.get(inf.guid, [])):
                sub(case, "SourceRef", targetGUID=src_guid)

    codings_of: dict[str, list[Coding]] = defaultdict(list)
    for coding in project.codings:
        codings_of[coding.source].append(coding)
    if project.sources:
        sources_el = sub(root, "Sources")
        for src in sorted(project.sources, key=lambda s: (s.name, s.guid)):
            src_el = sub(sources_el, "TextSource", guid=src.guid, name=_clean(src.name),
                         plainTextPath=f"internal://{src.guid}.txt")
            for coding in sorted(codings_of.get(src.guid, []), key=lambda c: (c.start, c.end, c.guid)):
                sel = sub(src_el, "PlainTextSelection", guid=derived_guid("selection", coding.guid),
                          name=_clean(src.text[coding.start:coding.end]),
                          startPosition=str(coding.start), endPosition=str(coding.end),
                          creatingUser=user_guids[coding.coder])
                sub(sel, "Description").text = f"sikap: {coding.stance}"
                coding_el = sub(sel, "Coding", guid=coding.guid, creatingUser=user_guids[coding.coder])
                sub(coding_el, "CodeRef", targetGUID=coding.code)
                notes = memo_refs.get(("coding", coding.guid), [])
                if coding.memo:
                    notes = sorted([*notes, derived_guid("coding-memo", coding.guid)])
                for note in notes:
                    sub(coding_el, "NoteRef", targetGUID=note)
            for note in memo_refs.get(("source", src.guid), []):
                sub(src_el, "NoteRef", targetGUID=note)
            if src.date:
                value(src_el, "tanggal", "DateValue", src.date.isoformat())

    notes_out: list[tuple[str, str, str, str | None]] = [
        (m.guid, m.title, m.text, user_guids[m.author] if m.author else None) for m in project.memos
    ]
    notes_out += [
        (derived_guid("coding-memo", c.guid), "", c.memo, user_guids[c.coder]) for c in project.codings if c.memo
    ]
    if notes_out:
        notes_el = sub(root, "Notes")
        for guid, title, text, author in sorted(notes_out):
            note = sub(notes_el, "Note", guid=guid)
            if title:
                note.set("name", _clean(title))
            if author:
                note.set("creatingUser", author)
            sub(note, "PlainTextContent").text = _clean(text)

    by_type: dict[str, list[str]] = defaultdict(list)
    for src in project.sources:
        by_type[src.type].append(src.guid)
    if by_type or project.groups or any(c.link for c in project.codes):
        sets_el = sub(root, "Sets")
        for source_type in SOURCE_TYPES:
            if not by_type.get(source_type):
                continue
            set_el = sub(sets_el, "Set", guid=derived_guid("set", source_type), name=source_type)
            sub(set_el, "Description").text = f"{_TYPE_MARK} (jenis sumber / source type)"
            for guid in sorted(by_type[source_type]):
                sub(set_el, "MemberSource", targetGUID=guid)
        for group in sorted(project.groups, key=lambda g: (g.name, g.guid)):
            set_el = sub(sets_el, "Set", guid=group.guid, name=_clean(group.name))
            for guid in sorted(group.sources):
                sub(set_el, "MemberSource", targetGUID=guid)
        _link_sets(sets_el, ns, project.codes)
    for note in memo_refs.get(("project", None), []):
        sub(root, "NoteRef", targetGUID=note)
    _validate(root, "Project.xsd")
    return _serialize(root)


def write_qdpx(project: Project, *, origin: str = "Kinerja") -> bytes:
    """A QDPX archive: ``project.qde`` (valid against Project.xsd) and ``sources/<guid>.txt`` in
    UTF-8. Deterministic: sorted content, fixed timestamps, so equal projects give equal bytes."""
    qde = project_xml(project, origin=origin)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, payload: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)

        put("project.qde", qde)
        for src in sorted(project.sources, key=lambda s: s.guid):
            put(f"sources/{src.guid}.txt", src.text.encode("utf-8"))
    return buf.getvalue()
