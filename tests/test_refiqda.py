"""REFI-QDA 1.5 exchange: schema-valid exports, round trips, lenient and strict imports."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from html import escape
from pathlib import Path

import pytest
import xmlschema

from kinerja.evidence.analysis import positions
from kinerja.evidence.analysis.records import (
    Code,
    Coding,
    Informant,
    Memo,
    Project,
    Source,
    SourceGroup,
    User,
)
from kinerja.evidence.analysis.refiqda import (
    RefiQdaError,
    derived_guid,
    project_xml,
    read_qdc,
    read_qdpx,
    write_qdc,
    write_qdpx,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "kinerja" / "evidence" / "analysis" / "schemas"
G = "00000000-0000-4000-8000-{:012d}".format

TEXT_W = "Anggaran kegiatan kami 😀 terbatas.\n\nKoordinasi dengan polisi cukup baik."
TEXT_O = "Mobil dinas hanya satu."
TEXT_D = "DPA: pagu Rp 50 juta.\r\nRealisasi 80%."


def _project() -> Project:
    codes = (
        Code(G(1), "Kendala", "Faktor penghambat", "#AA0000", codable=False),
        Code(G(2), "anggaran", "Dana dan penganggaran", "#ff8800", G(1), "kendala:anggaran"),
        Code(G(3), "komunikasi", "", None, G(1), "kendala:komunikasi"),
        Code(G(4), "responsivitas", "Daya tanggap", "#0a0", None, "dimensi:responsivitas"),
        Code(G(5), "dana_terlambat", "", None, G(2)),
    )
    informants = (
        Informant(G(10), "IK-01", "Kepala Seksi", True, "Penanggung jawab layanan"),
        Informant(G(11), "SH, 14 th", "Anak korban", False, "", is_child=True, consent_recorded=True),
    )
    sources = (
        Source(G(20), "Wawancara Kasi", "wawancara", TEXT_W, date(2023, 5, 17), (G(10),)),
        Source(G(21), "Observasi kantor", "observasi", TEXT_O, None, (G(11),)),
        Source(G(22), "DPA 2023", "dokumentasi", TEXT_D),
    )
    codings = (
        Coding(G(30), G(20), 0, 34, G(2), "ani", "menghambat", "Kutipan kunci"),
        Coding(G(31), G(20), 23, 24, G(5), "budi", "netral"),  # the emoji alone: one code point
        Coding(G(32), G(20), 36, 71, G(3), "ani", "mendukung"),
        Coding(G(33), G(21), 0, len(TEXT_O), G(4), "budi", "menghambat"),
        Coding(G(34), G(22), 5, 21, G(2), "ani", "netral"),
    )
    memos = (
        Memo(G(40), "Catatan proyek", "project", None, "Umum", "ani"),
        Memo(G(41), "Periksa definisi", "code", G(2), "", "budi"),
        Memo(G(42), "Transkrip dicek ulang", "source", G(20)),
        Memo(G(43), "Ragu-ragu", "coding", G(31), "ragu", "budi"),
    )
    return Project("Evaluasi Kinerja", (User(G(50), "ani"), User(G(51), "budi")), codes, sources,
                   informants, codings, memos)


def _sorted(project: Project) -> dict[str, object]:
    return {
        "name": project.name,
        "users": sorted(project.users, key=lambda x: x.guid),
        "codes": sorted(project.codes, key=lambda x: x.guid),
        "sources": sorted(project.sources, key=lambda x: x.guid),
        "informants": sorted(project.informants, key=lambda x: x.guid),
        "codings": sorted(project.codings, key=lambda x: x.guid),
        "memos": sorted(project.memos, key=lambda x: x.guid),
    }


def _zip(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload.encode("utf-8") if isinstance(payload, str) else payload)
    return buf.getvalue()


def _messages(exc: pytest.ExceptionInfo[RefiQdaError]) -> str:
    for m in exc.value.messages:
        assert m.id and m.en and m.id != m.en  # Indonesian and English each
    return "\n".join(m.en for m in exc.value.messages)


# ------------------------------------------------------------------ export


def test_qdc_export_validates_and_round_trips() -> None:
    codes = _project().codes
    data = write_qdc(codes)
    xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(data.decode("utf-8"))
    assert b'xmlns="urn:QDA-XML:codebook:1.0"' in data
    back = read_qdc(data)
    assert sorted(back, key=lambda c: c.guid) == sorted(codes, key=lambda c: c.guid)
    assert write_qdc(back) == data
    # parents come before children, siblings sorted by name
    names = [c.name for c in back]
    assert names.index("Kendala") < names.index("anggaran") < names.index("dana_terlambat")


def test_qdpx_export_validates_against_project_xsd() -> None:
    data = write_qdpx(_project())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        assert zf.read(f"sources/{G(20)}.txt").decode("utf-8") == TEXT_W
        assert zf.read(f"sources/{G(22)}.txt") == TEXT_D.encode("utf-8")  # CRLF kept, no BOM
    assert names == ["project.qde", f"sources/{G(20)}.txt", f"sources/{G(21)}.txt", f"sources/{G(22)}.txt"]
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde.decode("utf-8"))
    assert qde == project_xml(_project())
    text = qde.decode("utf-8")
    assert f'plainTextPath="internal://{G(20)}.txt"' in text
    assert 'startPosition="23" endPosition="24"' in text
    assert "sikap: menghambat" in text
    assert '<Set guid="' in text and 'name="wawancara"' in text and 'name="kendala:anggaran"' in text


def test_export_is_deterministic_and_round_trip_is_stable() -> None:
    project = _project()
    first = write_qdpx(project)
    assert write_qdpx(project) == first
    result = read_qdpx(first)
    assert result.warnings == ()
    assert _sorted(result.project) == _sorted(project)
    assert write_qdpx(result.project) == first


def test_round_trip_keeps_offsets_on_astral_characters() -> None:
    back = read_qdpx(write_qdpx(_project())).project
    coding = next(c for c in back.codings if c.guid == G(31))
    source = next(s for s in back.sources if s.guid == coding.source)
    assert source.text[coding.start : coding.end] == "😀"


def test_coders_missing_from_users_get_stable_users_on_export() -> None:
    project = Project(
        codes=(Code(G(1), "saran"),),
        sources=(Source(G(2), "W", "wawancara", "teks"),),
        codings=(Coding(G(3), G(2), 0, 4, G(1), "citra"),),
    )
    back = read_qdpx(write_qdpx(project)).project
    assert back.users == (User(derived_guid("user", "citra"), "citra"),)
    assert back.codings[0].coder == "citra"


def test_export_refuses_inconsistent_project() -> None:
    bad = Project(
        codes=(Code(G(1), "saran"),),
        sources=(Source(G(2), "W", "wawancara", "teks"),),
        codings=(Coding(G(3), G(2), 0, 99, G(1), "ani"), Coding(G(4), G(2), 0, 1, G(9), "ani")),
    )
    with pytest.raises(RefiQdaError) as exc:
        write_qdpx(bad)
    text = _messages(exc)
    assert "outside" in text and "unknown code" in text
    with pytest.raises(RefiQdaError):
        write_qdc(())
    with pytest.raises(RefiQdaError):
        write_qdc((Code("NOT-A-GUID", "x"),))


# ------------------------------------------------------------------ hand-made imports

TAGUETTE_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1">
  <Codes>
    <Code guid="{guid}" name="anggaran" isCodable="true">
      <Description>Kendala dana</Description>
    </Code>
  </Codes>
  <Sets/>
</CodeBook>
"""


def test_taguette_qdc_with_empty_sets_is_accepted() -> None:
    data = TAGUETTE_QDC.format(guid=G(1).upper()).encode()
    with pytest.raises(xmlschema.XMLSchemaValidationError):  # not schema-valid ...
        xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(data.decode())
    (code,) = read_qdc(data)  # ... but real, so accepted
    assert code == Code(G(1), "anggaran", "Kendala dana")


def test_qdc_errors() -> None:
    with pytest.raises(RefiQdaError) as exc:
        read_qdc(b"<CodeBook><Codes><Code")
    assert "Malformed XML" in _messages(exc)
    with pytest.raises(RefiQdaError) as exc:
        read_qdc(b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    assert "Not a REFI-QDA codebook" in _messages(exc)
    dup = f"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
      <Code guid="{G(1)}" name="a" isCodable="true"/><Code guid="{G(1).upper()}" name="b" isCodable="true"/>
      <Code guid="nope" name="c" isCodable="true"/></Codes></CodeBook>"""
    with pytest.raises(RefiQdaError) as exc:
        read_qdc(dup.encode())
    text = _messages(exc)
    assert "Duplicate code GUID" in text and "Invalid code GUID" in text
    with pytest.raises(RefiQdaError) as exc:
        read_qdc(TAGUETTE_QDC.format(guid=G(1)).encode(), max_bytes=100)
    assert "too large" in _messages(exc)


def test_qdc_entity_expansion_is_not_performed() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{G(1)}" name="x" isCodable="true">'
        "<Description>&lol2;</Description></Code></Codes></CodeBook>"
    )
    (code,) = read_qdc(bomb.encode())
    assert "lollol" not in code.description


def _qde(body: str, name: str = "Impor") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="{name}">{body}</Project>'


USERS = f'<Users><User guid="{G(50)}" name="ani"/></Users>'
CODEBOOK = f'<CodeBook><Codes><Code guid="{G(1)}" name="anggaran" isCodable="true"/></Codes></CodeBook>'


def _text_source(path_attr: str, start: int, end: int, code: str = G(1), inline: str | None = None) -> str:
    content = f"<PlainTextContent>{inline}</PlainTextContent>" if inline is not None else ""
    path = f' plainTextPath="{path_attr}"' if path_attr else ""
    return (
        f'<Sources><TextSource guid="{G(20)}" name="W1"{path}>{content}'
        f'<PlainTextSelection guid="{G(60)}" startPosition="{start}" endPosition="{end}" creatingUser="{G(50)}">'
        f'<Coding guid="{G(30)}" creatingUser="{G(50)}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources>"
    )


def test_nvivo_style_upper_case_member_names_are_matched() -> None:
    qde = _qde(USERS + CODEBOOK + _text_source(f"internal://{G(20).upper()}.TXT", 0, 8))
    data = _zip({"PROJECT.QDE": qde, f"Sources/{G(20).upper()}.TXT": "Anggaran terbatas."})
    result = read_qdpx(data)
    (coding,) = result.project.codings
    assert coding.coder == "ani" and coding.stance == "netral"
    assert result.project.sources[0].text[coding.start : coding.end] == "Anggaran"
    assert result.project.sources[0].type == "dokumentasi"  # the neutral default, with a notice
    assert any("type set" in w.en for w in result.warnings)


def test_relative_paths_and_backslashes_resolve() -> None:
    for path in (f"relative://{G(20)}.txt", f"sources\\{G(20)}.txt", f"{G(20)}.txt"):
        qde = _qde(USERS + CODEBOOK + _text_source(path, 0, 8))
        project = read_qdpx(_zip({"project.qde": qde, f"sources/{G(20)}.txt": "Anggaran terbatas."})).project
        assert project.sources[0].text == "Anggaran terbatas."


def test_atlas_style_inline_text_braced_upper_case_guids_and_sets() -> None:
    guid = "{" + G(1).upper() + "}"
    body = (
        f'<Users><User guid="{{{G(50).upper()}}}" name="ani"/><User guid="{G(51)}" name="budi"/></Users>'
        f'<CodeBook><Codes><Code guid="{guid}" name="anggaran" isCodable="true" color="#12ab34">'
        f'<Code guid="{G(2)}" name="dana" isCodable="true"/></Code></Codes></CodeBook>'
        f'<Variables><Variable guid="{G(70)}" name="Role" typeOfVariable="Text"/>'
        f'<Variable guid="{G(71)}" name="Key Informant" typeOfVariable="Boolean"/></Variables>'
        f'<Cases><Case guid="{G(10)}" name="IK-01">'
        f'<VariableValue><VariableRef targetGUID="{G(70)}"/><TextValue>Kepala Seksi</TextValue></VariableValue>'
        f'<VariableValue><VariableRef targetGUID="{G(71)}"/><BooleanValue>true</BooleanValue></VariableValue>'
        f'<SourceRef targetGUID="{G(20).upper()}"/></Case></Cases>'
        + _text_source("", 0, 8, code=guid, inline="Anggaran terbatas.\n\nSelesai.")
        + f'<Sets><Set guid="{G(80)}" name="Interview"><MemberSource targetGUID="{G(20).upper()}"/></Set>'
        f'<Set guid="{G(81)}" name="kendala:anggaran"><MemberCode targetGUID="{guid}"/></Set></Sets>'
    )
    result = read_qdpx(_zip({"project.qde": _qde(body)}))
    project = result.project
    assert result.warnings == ()
    code = project.code(G(1))
    assert code is not None and code.colour == "#12ab34" and code.link == "kendala:anggaran"
    assert project.code(G(2)) == Code(G(2), "dana", parent=G(1))
    assert project.informants == (Informant(G(10), "IK-01", "Kepala Seksi", True),)
    assert project.sources[0].type == "wawancara"
    assert project.sources[0].informants == (G(10),)
    assert project.codings[0].code == G(1) and project.codings[0].coder == "ani"


def test_source_file_bom_is_stripped_before_counting_offsets() -> None:
    qde = _qde(USERS + CODEBOOK + _text_source(f"internal://{G(20)}.txt", 0, 8))
    data = _zip({"project.qde": qde, f"sources/{G(20)}.txt": b"\xef\xbb\xbfAnggaran terbatas."})
    project = read_qdpx(data).project
    assert project.sources[0].text == "Anggaran terbatas."
    assert project.sources[0].text[0:8] == "Anggaran"


def test_offsets_past_end_of_text_are_refused() -> None:
    qde = _qde(USERS + CODEBOOK + _text_source(f"internal://{G(20)}.txt", 5, 500))
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(_zip({"project.qde": qde, f"sources/{G(20)}.txt": "Anggaran terbatas."}))
    text = _messages(exc)
    assert "5-500" in text and "18 characters" in text
    assert "di luar teks" in exc.value.messages[0].id


def test_unknown_code_reference_is_refused() -> None:
    qde = _qde(USERS + CODEBOOK + _text_source(f"internal://{G(20)}.txt", 0, 8, code=G(9)))
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(_zip({"project.qde": qde, f"sources/{G(20)}.txt": "Anggaran terbatas."}))
    assert f"unknown code: {G(9)}" in _messages(exc)


def test_all_problems_are_reported_together() -> None:
    source = _text_source(f"internal://{G(20)}.txt", 0, 99, code=G(9))
    second = source.replace(G(20), G(21)).replace(G(30), G(31)).removeprefix("<Sources>")
    qde = _qde(USERS + CODEBOOK + source.removesuffix("</Sources>") + second)
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(_zip({"project.qde": qde, f"sources/{G(20)}.txt": "teks"}))
    text = _messages(exc)
    assert "unknown code" in text and "is not in the archive" in text


def test_zip_without_project_qde_is_refused() -> None:
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(_zip({"sources/a.txt": "teks"}))
    assert "no project.qde" in _messages(exc)
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(b"bukan zip")
    assert "not a valid zip" in _messages(exc)


def test_malformed_project_xml_is_refused() -> None:
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(_zip({"project.qde": "<Project name='x'><Users>"}))
    assert "Malformed XML" in _messages(exc)


def test_size_limit_is_a_parameter() -> None:
    qde = _qde(USERS + CODEBOOK + _text_source(f"internal://{G(20)}.txt", 0, 8))
    data = _zip({"project.qde": qde, f"sources/{G(20)}.txt": "Anggaran terbatas." * 100})
    assert read_qdpx(data).project.sources[0].text.startswith("Anggaran")
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(data, max_bytes=len(data) + 100)  # archive fits, unpacked it does not
    assert "too large" in _messages(exc)
    with pytest.raises(RefiQdaError):
        read_qdpx(data, max_bytes=10)


def test_zip_bomb_is_refused_before_inflating() -> None:
    bomb = _zip({"project.qde": _qde(""), "sources/bomb.txt": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(RefiQdaError) as exc:
        read_qdpx(bomb)
    assert "zip bomb" in _messages(exc)


def test_stance_and_coding_memo_survive_and_other_notes_become_memos() -> None:
    project = read_qdpx(write_qdpx(_project())).project
    coding = next(c for c in project.codings if c.guid == G(30))
    assert coding.stance == "menghambat" and coding.memo == "Kutipan kunci"
    memo = next(m for m in project.memos if m.guid == G(43))
    assert (memo.target_kind, memo.target, memo.title, memo.author) == ("coding", G(31), "ragu", "budi")
    assert len(project.memos) == 4


def test_whole_source_coding_unknown_user_and_unreferenced_note() -> None:
    body = (
        USERS
        + CODEBOOK
        + f'<Sources><TextSource guid="{G(20)}" name="W1"><PlainTextContent>Anggaran terbatas.</PlainTextContent>'
        f'<Coding guid="{G(30)}" creatingUser="{G(59)}"><CodeRef targetGUID="{G(1)}"/></Coding>'
        "</TextSource></Sources>"
        f'<Notes><Note guid="{G(40)}" name="Lepas"><PlainTextContent>Catatan bebas</PlainTextContent></Note></Notes>'
    )
    result = read_qdpx(_zip({"project.qde": _qde(body)}), default_source_type="dokumentasi")
    (coding,) = result.project.codings
    assert (coding.start, coding.end) == (0, len("Anggaran terbatas."))
    assert coding.coder == G(59)  # unknown user: its GUID stands in for the name, with a warning
    assert any("not listed" in w.en for w in result.warnings)
    assert result.project.sources[0].type == "dokumentasi"
    (memo,) = result.project.memos
    assert (memo.target_kind, memo.title, memo.text) == ("project", "Lepas", "Catatan bebas")


# ------------------------------------------------------------------ positions as their makers meant them

EMOJI_TEXT = "Ibu 😀 bilang anggaran 🙏🙏 kurang.\nKoordinasi 😀 dengan polisi lambat sekali."
CRLF_TEXT = "Baris satu.\r\nAnggaran terbatas 🙏 sekali.\r\n\r\nKoordinasi dengan polisi lambat."


def _u16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def _at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


@pytest.mark.parametrize("reading", positions.READINGS)
def test_every_reading_lands_on_the_same_word(reading: str) -> None:
    lf = CRLF_TEXT.replace("\r\n", "\n")
    count = {
        positions.CODEPOINT: lambda s, i: i,
        positions.UTF16: _u16,
        positions.LF_ON_CRLF: lambda s, i: i,
        positions.UTF16_LF_ON_CRLF: _u16,
    }[reading]
    basis = lf if "lf" in reading else CRLF_TEXT
    for word in ("sekali", "Koordinasi", "lambat."):
        start, end = _at(basis, word)
        span = positions.to_codepoints(CRLF_TEXT, count(basis, start), count(basis, end), reading)
        assert span is not None and CRLF_TEXT[span[0]:span[1]] == word


def test_a_reading_that_cannot_hold_gives_none() -> None:
    emoji_at = _u16(EMOJI_TEXT, EMOJI_TEXT.index("😀"))
    assert positions.to_codepoints(EMOJI_TEXT, emoji_at + 1, emoji_at + 4, positions.UTF16) is None  # mid-pair
    assert positions.to_codepoints(EMOJI_TEXT, 0, 10_000, positions.CODEPOINT) is None
    with pytest.raises(ValueError):
        positions.to_codepoints(EMOJI_TEXT, 0, 1, "bytes")


def test_the_name_picks_the_reading_and_repairs_a_shifted_selection() -> None:
    right = [positions.Selection(*_at(EMOJI_TEXT, w), w) for w in ("Ibu", "bilang")]
    start, end = _at(EMOJI_TEXT, "polisi")
    shifted = positions.Selection(_u16(EMOJI_TEXT, start), _u16(EMOJI_TEXT, end), "polisi")
    placed = positions.place(EMOJI_TEXT, [*right, shifted])
    assert placed.reading == positions.CODEPOINT
    assert [p.status for p in placed.placements if p] == ["confirmed", "confirmed", "repaired"]
    last = placed.placements[-1]
    assert last is not None and EMOJI_TEXT[last.start:last.end] == "polisi" and last.reading == positions.UTF16


def test_a_selection_no_reading_confirms_is_kept_and_marked() -> None:
    start, end = _at(EMOJI_TEXT, "kurang")
    placed = positions.place(EMOJI_TEXT, [positions.Selection(start, end, "sesuatu yang lain")])
    (only,) = placed.placements
    assert only is not None and only.status == positions.UNCONFIRMED and (only.start, only.end) == (start, end)
    assert placed.count(positions.UNCONFIRMED) == 1


def test_names_compare_up_to_white_space_and_ellipsis() -> None:
    assert positions.name_match("anggaran\r\nkurang", "anggaran kurang") == 1  # XML made the break a space
    assert positions.name_match("anggaran kurang", "anggaran kurang") == 2
    assert positions.name_match("Koordinasi dengan polisi lambat", "Koordinasi dengan...") == 1
    assert positions.name_match("Koordinasi dengan polisi", "Koord...") == 0  # too short to tell
    assert positions.name_match("lain", "anggaran") == 0


def test_without_names_word_boundaries_decide_and_nvivo_breaks_ties() -> None:
    words = ("anggaran", "kurang", "Koordinasi", "polisi")
    utf16 = [positions.Selection(_u16(EMOJI_TEXT, s), _u16(EMOJI_TEXT, e)) for s, e in map(
        lambda w: _at(EMOJI_TEXT, w), words)]
    for prefer in (False, True):  # the boundaries decide whoever made the file
        placed = positions.place(EMOJI_TEXT, utf16, prefer_utf16=prefer)
        assert placed.reading == positions.UTF16
        assert [EMOJI_TEXT[p.start:p.end] for p in placed.placements if p] == list(words)
    # a selection before any emoji reads the same either way: nothing to decide, nothing reported
    placed = positions.place(EMOJI_TEXT, [positions.Selection(0, 3)], prefer_utf16=True)
    assert placed.placements[0] == positions.Placement(0, 3, positions.UTF16, positions.CONFIRMED)
    # a part of a word after an emoji, where no reading is on word boundaries: unconfirmed
    start, _end = _at(EMOJI_TEXT, "kurang")
    placed = positions.place(EMOJI_TEXT, [positions.Selection(start + 2, start + 4)])
    assert placed.placements[0] is not None and placed.placements[0].status == positions.UNCONFIRMED
    assert positions.prefers_utf16("NVivo 12 (Windows)") and not positions.prefers_utf16("QualCoder 3.6")


# Fixtures made the way the tools write them: NVivo (UTF-16 positions, origin "NVivo ..."),
# QualCoder (name attribute, selection Description as memo, utf-8-sig text files, and with the
# "MAXQDA line endings" option CRLF text with positions counted on LF), MAXQDA (document sets).

QC_USER, QC_CODE, QC_CODE2 = G(700), G(701), G(702)


def _tool_qdpx(texts: dict[str, str], codings: list[tuple[str, str, int, str | None]], *, origin: str,
               unit: str = positions.CODEPOINT, sets: str = "", crlf: bool = False,
               description: str = "") -> bytes:
    """A QDPX as another tool writes it. ``texts``: source name -> text (with LF); ``codings``:
    (source name, word, occurrence, name attribute or None). Positions are counted on the LF
    text in ``unit``; with ``crlf`` the file ships CRLF text (QualCoder's MAXQDA option)."""
    guids = {name: G(710 + i) for i, name in enumerate(texts)}
    sources, members = [], {}
    for name, text in texts.items():
        sels = []
        for i, (src, word, nth, sel_name) in enumerate(codings):
            if src != name:
                continue
            start, end = _at(text, word, nth)
            if unit == positions.UTF16:
                start, end = _u16(text, start), _u16(text, end)
            name_attr = f' name="{escape(sel_name)}"' if sel_name is not None else ""
            desc = f"<Description>{escape(description)}</Description>" if description else ""
            sels.append(
                f'<PlainTextSelection guid="{G(800 + i)}" startPosition="{start}" endPosition="{end}"{name_attr} '
                f'creatingUser="{QC_USER}" creationDateTime="2024-01-02T03:04:05Z">{desc}'
                f'<Coding guid="{G(900 + i)}" creatingUser="{QC_USER}"><CodeRef targetGUID="{QC_CODE}"/></Coding>'
                "</PlainTextSelection>")
        sources.append(
            f'<TextSource plainTextPath="internal://{guids[name]}.txt" creatingUser="{QC_USER}" '
            f'creationDateTime="2024-01-02T03:04:05Z" guid="{guids[name]}" name="{escape(name)}">'
            + "".join(sels) + "</TextSource>")
        shipped = text.replace("\n", "\r\n") if crlf else text
        members[f"sources/{guids[name]}.txt"] = "\ufeff".encode() + shipped.encode("utf-8")  # utf-8-sig
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="proyek.qda" origin="{origin}" '
        f'creatingUserGUID="{G(799)}" creationDateTime="2024-01-02T03:04:05Z" xmlns="urn:QDA-XML:project:1.0">\n'
        f'<Users>\n<User guid="{QC_USER}" name="peneliti_qc" />\n</Users>\n'
        f'<CodeBook><Codes><Code guid="{QC_CODE}" name="anggaran" isCodable="true" color="#ff0000"/>'
        f'<Code guid="{QC_CODE2}" name="tanpa_koding" isCodable="true"/></Codes></CodeBook>\n'
        f"<Sources>{''.join(sources)}</Sources>{sets.format(**guids)}</Project>"
    )
    return _zip({"project.qde": qde, **members})


NVIVO_TEXTS = {"Wawancara Ibu": EMOJI_TEXT, "Catatan": "Tanpa emoji: anggaran cukup."}
NVIVO_CODINGS = [("Wawancara Ibu", "anggaran", 0, None), ("Wawancara Ibu", "kurang", 0, None),
                 ("Wawancara Ibu", "polisi lambat", 0, None), ("Catatan", "anggaran", 0, None)]


def _landed(project: Project) -> list[tuple[str, str]]:
    names = {s.guid: s for s in project.sources}
    return sorted((names[c.source].name, names[c.source].text[c.start:c.end]) for c in project.codings)


@pytest.mark.parametrize("with_names", [False, True])
def test_nvivo_utf16_positions_land_on_the_right_text_and_round_trip(with_names: bool) -> None:
    codings = [(s, w, n, w if with_names else None) for s, w, n, _x in NVIVO_CODINGS]
    data = _tool_qdpx(NVIVO_TEXTS, codings, origin="NVivo 12 (Windows)", unit=positions.UTF16)
    result = read_qdpx(data)
    assert _landed(result.project) == sorted((s, w) for s, w, _n, _x in NVIVO_CODINGS)
    warnings = "\n".join(w.en for w in result.warnings)
    assert "Positions in 'Wawancara Ibu' read as UTF-16 units" in warnings and "unconfirmed" not in warnings
    # export counts code points, is schema-valid, and reads back to the same codings without notice
    exported = write_qdpx(result.project)
    qde = zipfile.ZipFile(io.BytesIO(exported)).read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde)
    start, end = _at(EMOJI_TEXT, "polisi lambat")
    assert f'name="polisi lambat" startPosition="{start}" endPosition="{end}"' in qde
    back = read_qdpx(exported)
    assert _landed(back.project) == _landed(result.project)
    assert sorted(back.project.codings, key=lambda c: c.guid) == sorted(result.project.codings, key=lambda c: c.guid)
    assert not any("read as" in w.en or "unconfirmed" in w.en for w in back.warnings)


def test_nvivo_origin_breaks_a_tie_that_the_text_cannot() -> None:
    # one-letter words after two emoji: both readings put the selection on a word of its own
    text = "😀😀 x.y.z"
    for origin, expect in (("NVivo 12 (Mac)", "y"), ("QualCoder 3.6", "z")):
        data = _tool_qdpx({"S": text}, [("S", "y", 0, None)], origin=origin, unit=positions.UTF16)
        assert _landed(read_qdpx(data).project) == [("S", expect)]


@pytest.mark.parametrize("unit", [positions.CODEPOINT, positions.UTF16])
def test_qualcoder_maxqda_line_endings_land_on_the_right_text(unit: str) -> None:
    text = "Baris satu.\nAnggaran terbatas 🙏 sekali.\n\nKoordinasi dengan polisi\nlambat sekali."
    codings = [("Wawancara", "Anggaran", 0, "Anggaran"), ("Wawancara", "sekali", 1, "sekali"),
               ("Wawancara", "polisi\nlambat", 0, "polisi\nlambat")]
    data = _tool_qdpx({"Wawancara": text}, codings, origin="QualCoder 3.6", unit=unit, crlf=True,
                      description="memo dari QualCoder")
    result = read_qdpx(data)
    (source,) = result.project.sources
    assert source.text == text.replace("\n", "\r\n")  # the text is kept as shipped, BOM stripped
    assert _landed(result.project) == sorted([("Wawancara", "Anggaran"), ("Wawancara", "sekali"),
                                              ("Wawancara", "polisi\r\nlambat")])
    assert {c.memo for c in result.project.codings} == {"memo dari QualCoder"}  # selection Description
    assert any("counted on LF line breaks" in w.en for w in result.warnings)
    assert _landed(read_qdpx(write_qdpx(result.project)).project) == _landed(result.project)


def test_an_unconfirmable_selection_is_reported_with_source_and_position() -> None:
    codings = [("Wawancara Ibu", "anggaran", 0, "anggaran"), ("Wawancara Ibu", "kurang", 0, "tidak ada di teks")]
    data = _tool_qdpx(NVIVO_TEXTS, codings, origin="ATLAS.ti 23")
    result = read_qdpx(data)
    start, end = _at(EMOJI_TEXT, "kurang")
    warnings = [w for w in result.warnings if "unconfirmed" in w.en]
    assert len(warnings) == 1
    assert f"Selection {start}-{end} in 'Wawancara Ibu' is unconfirmed" in warnings[0].en
    assert f"Seleksi {start}-{end} di 'Wawancara Ibu' tidak terkonfirmasi" in warnings[0].id
    assert len(result.project.codings) == 2  # kept where the file's reading puts it, nothing lost


MAXQDA_SETS = (
    '<Sets><Set guid="{g1}" name="INTERVIEWS"><MemberSource targetGUID="{w}"/></Set>'
    '<Set guid="{g2}" name="Observasi"><MemberSource targetGUID="{o}"/></Set>'
    '<Set guid="{g5}" name="documents"><MemberSource targetGUID="{d}"/></Set>'
    '<Set guid="{g3}" name="Kelurahan Sukajadi"><MemberSource targetGUID="{w}"/><MemberSource targetGUID="{d}"/></Set>'
    '<Set guid="{g4}" name="Kode favorit"><MemberCode targetGUID="' + QC_CODE + '"/></Set></Sets>'
)


def _maxqda(default: str | None = None) -> tuple[bytes, object]:
    texts = {"W": "Wawancara anggaran.", "O": "Observasi anggaran.", "D": "Dokumen anggaran.", "X": "Lain anggaran."}
    codings = [(s, "anggaran", 0, "anggaran") for s in texts]
    ids = {"g1": G(601), "g2": G(602), "g3": G(603), "g4": G(604), "g5": G(605), "w": G(710), "o": G(711), "d": G(712)}
    data = _tool_qdpx(texts, codings, origin="MAXQDA 2022", sets=MAXQDA_SETS.format(**ids).replace("{", "{{")
                      .replace("}", "}}"))
    return data, read_qdpx(data, default_source_type=default)


def test_maxqda_sets_become_source_types_and_groups_and_round_trip() -> None:
    _data, result = _maxqda()
    project = result.project  # type: ignore[attr-defined]
    types = {s.name: s.type for s in project.sources}
    assert types == {"W": "wawancara", "O": "observasi", "D": "dokumentasi", "X": "dokumentasi"}  # X: the default
    assert project.groups == (SourceGroup(G(603), "Kelurahan Sukajadi", (G(710), G(712))),)
    warnings = "\n".join(w.en for w in result.warnings)  # type: ignore[attr-defined]
    assert "1 sources are in no type set" in warnings and "import again with --type" in warnings
    assert "Code set 'Kode favorit' not kept" in warnings
    exported = write_qdpx(project)
    qde = zipfile.ZipFile(io.BytesIO(exported)).read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde)
    assert f'<Set guid="{G(603)}" name="Kelurahan Sukajadi">' in qde
    back = read_qdpx(exported).project
    assert back.groups == project.groups and {s.name: s.type for s in back.sources} == types


def test_the_importers_type_is_used_for_sources_in_no_type_set() -> None:
    _data, result = _maxqda("observasi")
    assert {s.name: s.type for s in result.project.sources}["X"] == "observasi"  # type: ignore[attr-defined]
    assert not any("import again" in w.en for w in result.warnings)  # type: ignore[attr-defined]


def test_stances_survive_a_kinerja_round_trip_and_others_read_neutral() -> None:
    project = _project()
    back = read_qdpx(write_qdpx(project)).project
    assert {c.guid: c.stance for c in back.codings} == {c.guid: c.stance for c in project.codings}
    foreign = read_qdpx(_tool_qdpx(NVIVO_TEXTS, NVIVO_CODINGS, origin="QualCoder 3.6")).project
    assert {c.stance for c in foreign.codings} == {"netral"}
