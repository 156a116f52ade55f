"""Export: the same tables as the import reads; identity only for an audited section-head export; a
round trip export -> import into an empty database gives back the same records."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from kinerja.register import keyring, services
from kinerja.register.tabular import export, tables, writing
from tests.test_import import base_data, counts, write_data

SEKSI = "99.01-RESOS-ANAK"


def load(tmp_path: Path, extra_unit: bool = True) -> None:
    """The valid sample, plus a second section with a case of its own (outside the head's scope)."""
    data = base_data()
    if extra_unit:
        data["unit"].append({"kode_unit": "99.02-RESOS-ANAK", "nama": "Seksi Anak Kota Lain", "kode_wilayah": "99.02"})
        data["pegawai"].append({"username": "pk_lain", "nama": "Peksos Lain", "kode_unit": "99.02-RESOS-ANAK",
                                "peran": "pekerja_sosial"})
        data["kasus"].append({**data["kasus"][1], "kode_unit": "99.02-RESOS-ANAK", "nomor_kasus": "L-001",
                              "kode_anak": "B1", "nama_anak": "Rahmat Lain", "peksos": "pk_lain"})
        data["tindakan"].append({"kode_unit": "99.02-RESOS-ANAK", "nomor_kasus": "L-001", "tahap": "asesmen",
                                 "waktu": "2018-02-03T10:00", "catatan": "Catatan unit lain"})
    result = writing.import_path(write_data(tmp_path / "source", data), lang="en")
    assert result.ok, result.report()


def ordered(rows) -> list[tuple]:
    """Rows in a fixed order; a row may hold None next to values, so they sort as (is None, text)."""
    return sorted(rows, key=lambda row: tuple((x is None, str(x)) for x in row))


def snapshot() -> dict[str, list[tuple]]:
    """Every record by its natural keys, identity decrypted (ids and uids are not part of a record)."""
    from kinerja.register import models as m

    def code(unit):
        return unit.code if unit else None

    def name(user):
        return user.username if user else None

    out: dict[str, list[tuple]] = {
        "unit": ordered((u.code, u.name, code(u.parent), u.region_code) for u in m.Unit.objects.all()),
        "staff": ordered((s.username, s.full_name, code(s.unit), s.role, s.is_active)
                         for s in m.Staff.objects.select_related("unit")),
        "child": ordered((c.unit.code, c.child_key, c.pseudonym, c.initials, c.sex, c.birth_date, c.age_at_report,
                          c.disability, c.kecamatan, c.nik_index, tuple(ordered(services.read_identity(c).items())))
                         for c in m.Child.objects.select_related("unit")),
        "case": ordered((c.unit.code, c.number, c.child.child_key, c.category, c.referral_source, c.risk,
                         c.reported_at, name(c.worker), c.consent, c.closed_at, c.closure_reason, c.age_at_report,
                         c.kecamatan, c.disability)
                        for c in m.Case.objects.select_related("unit", "child", "worker")),
        "action": ordered((a.case.unit.code, a.case.number, a.stage, a.service, a.time, name(a.staff), a.cost,
                           name(a.approved_by), a.approved_at, a.obstacle,
                           keyring.decrypt_action_notes(a.uid, a.notes_enc))
                          for a in m.Action.objects.select_related("case__unit", "staff", "approved_by")),
        "referral": ordered((r.case.unit.code, r.case.number, r.partner, r.sent_at, r.acknowledged_at, r.result)
                            for r in m.Referral.objects.select_related("case__unit")),
        "survey": ordered((s.unit.code, s.date, s.respondent_type, *(getattr(s, u) for u in tables.SKM_COLUMNS))
                          for s in m.SurveyResponse.objects.select_related("unit")),
        "complaint": ordered((c.unit.code, c.received_at, c.resolved_at, c.channel, c.topic)
                             for c in m.Complaint.objects.select_related("unit")),
        "budget": ordered((b.unit.code, b.year, b.activity, b.allocation, b.realisation)
                          for b in m.BudgetLine.objects.select_related("unit")),
        "staffing": ordered((s.unit.code, s.year, s.social_workers, s.certified)
                            for s in m.Staffing.objects.select_related("unit")),
        "facility": ordered((f.unit.code, f.year, f.safe_house_beds, f.bed_days, f.vehicles)
                            for f in m.Facility.objects.select_related("unit")),
        "target": ordered((t.unit.code, t.year, t.indicator, t.value) for t in m.Target.objects.select_related("unit")),
    }
    return out


def empty_database() -> None:
    from kinerja.register import models as m

    for model in (m.Action, m.Referral, m.Case, m.Child, m.SurveyResponse, m.Complaint, m.BudgetLine, m.Staffing,
                  m.Facility, m.Target, m.Staff):
        model.objects.all().delete()
    m.Unit.objects.update(parent=None)
    m.Unit.objects.all().delete()
    assert set(counts().values()) == {0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["folder", "kantor.xlsx"])
def test_round_trip_with_identity_gives_the_same_records(tmp_path, target):
    from kinerja.register.models import AuditEntry

    load(tmp_path, extra_unit=False)
    before = snapshot()
    assert before["child"][0][-1][-1] == ("phone", None)
    assert any(row[-1] for row in before["action"])  # notes are part of the comparison
    out = tmp_path / target
    summary = export.export_path(out, identity=True, reason="Pindah ke server baru", username="ks_a")
    assert "kasus 3" in summary and "tindakan 5" in summary
    assert AuditEntry.objects.filter(action="export_identity").count() == 1
    empty_database()
    result = writing.import_path(out, lang="en")
    assert result.ok, result.report()
    after = snapshot()
    for table in before:
        assert after[table] == before[table], table


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["folder", "kantor.xlsx"])
def test_round_trip_without_identity_keeps_every_other_field(tmp_path, target):
    load(tmp_path)
    before = snapshot()
    out = tmp_path / target
    export.export_path(out)
    empty_database()
    result = writing.import_path(out, lang="en")
    assert result.ok, result.report()
    after = snapshot()
    for table in before:
        if table == "child":  # identity and the birth date were not exported; the age at each report was
            strip = [row[:3] + row[4:5] + row[6:9] for row in before[table]]
            assert [row[:3] + row[4:5] + row[6:9] for row in after[table]] == strip
            assert all(row[3] == "-" and row[5] is None and row[9] == "" for row in after[table])
        elif table == "action":
            assert [row[:-1] for row in after[table]] == [row[:-1] for row in before[table]]
            assert all(row[-1] is None for row in after[table])
        else:
            assert after[table] == before[table], table


@pytest.mark.django_db
def test_default_export_has_no_identity_columns_and_no_identity(tmp_path):
    load(tmp_path)
    out = tmp_path / "export"
    export.export_path(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(t.file for t in tables.ORDER)
    for table in tables.ORDER:
        with open(out / table.file, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == list(table.export_columns(False))
        assert not set(header) & {*tables.IDENTITY_COLUMNS, "tanggal_lahir"}
    with open(out / "kasus.csv", encoding="utf-8-sig", newline="") as fh:
        kasus = list(csv.DictReader(fh))
    assert [(r["nomor_kasus"], r["usia"]) for r in kasus] == [("K-002", "12"), ("K-001", "8"), ("K-003", "9"),
                                                              ("L-001", "12")]
    assert b"2010-01-01" not in (out / "kasus.csv").read_bytes()  # Siti's birth date
    everything = b"".join(p.read_bytes() for p in out.iterdir())
    for secret in ("Siti Hajar", "1471014101100001", "mengemis", "Budi Santoso", "lampu merah"):
        assert secret.encode() not in everything
    # times are WIB without offset, as the import reads them
    with open(out / "kasus.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["nomor_kasus"]: r for r in csv.DictReader(fh)}
    assert rows["K-001"]["dilaporkan_pada"] == "2018-03-05T14:30:00"
    assert rows["K-001"]["persetujuan"] == "ya" and rows["K-002"]["usia"] == "12"


@pytest.mark.django_db
def test_export_then_update_of_the_same_database_changes_nothing(tmp_path):
    """An edited default export imported with --update must not erase names, NIKs or notes."""
    load(tmp_path)
    before = snapshot()
    out = tmp_path / "export"
    export.export_path(out)
    result = writing.import_path(out, update=True, lang="en")
    assert result.ok, result.report()
    assert snapshot() == before


@pytest.mark.django_db
def test_identity_export_needs_an_active_section_head_and_a_reason(tmp_path):
    from kinerja.register.models import AuditEntry, Staff

    load(tmp_path)
    for role in ("pekerja_sosial", "pimpinan", "evaluator", "admin"):
        Staff.objects.create_user(username=f"u_{role}", password="x" * 12, role=role,
                                  unit=Staff.objects.get(username="ks_a").unit)
    Staff.objects.create_user(username="ks_off", password="x" * 12, role="kepala_seksi",
                              unit=Staff.objects.get(username="ks_a").unit, is_active=False)
    for username in ("u_pekerja_sosial", "u_pimpinan", "u_evaluator", "u_admin", "ks_off", "nobody", None):
        with pytest.raises(PermissionDenied) as exc:
            export.export_path(tmp_path / "x", identity=True, reason="Audit internal", username=username)
        assert "kepala seksi" in str(exc.value)
    for reason in (None, "", "   "):
        with pytest.raises(ValueError, match="--reason"):
            export.export_path(tmp_path / "x", identity=True, reason=reason, username="ks_a")
    assert not (tmp_path / "x").exists()
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 0


@pytest.mark.django_db
def test_identity_export_is_audited_once_and_limited_to_the_heads_units(tmp_path):
    from kinerja.register.models import AuditEntry

    load(tmp_path)
    out = tmp_path / "identitas"
    summary = export.export_path(out, identity=True, reason="Permintaan pengadilan no. 12", username="ks_a")
    entries = list(AuditEntry.objects.exclude(action__startswith="account_"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.username, entry.action, entry.reason) == ("ks_a", "export_identity", "Permintaan pengadilan no. 12")
    assert entry.record == "export:identitas" and SEKSI in entry.detail
    assert services.verify_audit() is None
    with open(out / "kasus.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["nomor_kasus"] for r in rows} == {"K-001", "K-002", "K-003"}  # not L-001 of the other unit
    siti = next(r for r in rows if r["nomor_kasus"] == "K-001")
    assert (siti["nama_anak"], siti["nik"]) == ("Siti Hajar Binti Rahmat", "1471014101100001")
    assert (siti["tanggal_lahir"], siti["usia"]) == ("2010-01-01", "8")  # the birth date only here
    with open(out / "tindakan.csv", encoding="utf-8-sig", newline="") as fh:
        notes = {r["catatan"] for r in csv.DictReader(fh)}
    assert "Anak ditemukan mengemis di pasar pagi" in notes and "Catatan unit lain" not in notes
    assert (out / "kasus.csv").stat().st_mode & 0o077 == 0  # identity files readable by the owner only
    assert SEKSI in summary


@pytest.mark.django_db
def test_xlsx_export_has_one_sheet_per_table_in_the_import_format(tmp_path):
    import openpyxl

    load(tmp_path)
    path = tmp_path / "ekspor.xlsx"
    export.export_path(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == [t.name for t in tables.ORDER]
    rows = list(book["kasus"].iter_rows(values_only=True))
    assert list(rows[0]) == list(tables.KASUS.export_columns(False))
    k1 = dict(zip(rows[0], next(r for r in rows if r[1] == "K-001"), strict=True))
    assert k1["dilaporkan_pada"] == "2018-03-05T14:30:00" and k1["kategori"] == "eksploitasi_ekonomi"
    sdm = list(book["sdm"].iter_rows(values_only=True))
    assert sdm[1][2] == 4.5  # numbers stay numbers for Excel
    book.close()
