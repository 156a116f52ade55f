"""REFI-QDA 1.5 exchange: schema-valid exports, round trips, lenient and strict imports."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xmlschema

from kinerja.evidence.analysis.records import (
    Code,
    Coding,
    Informant,
    Memo,
    Project,
    Source,
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
