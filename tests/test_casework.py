"""Case work through the services and the case page: the import's rules with field messages, roles,
record history without identity values, versions refusing a stale save (also across two database
connections), and the indicator engine moving with a recorded action."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from kinerja.register import casework
from kinerja.register.models import Action, Approval, Case, Child, Referral
from tests import factories
from tests.indicator_factories import H, wib

NIK = "1471014407100009"
NAME = "Siti Rahmawati Kusumadewi"
NOTE = "Ibu kandung bekerja di pasar Cik Puan"


@pytest.fixture
def case(units, users):
    return factories.case(units["seksi"], worker=users["peksos"], reported=wib(2024, 3, 1, 9))


# -- rules, the import's ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_action_before_the_report_is_refused_with_a_field_message(case, users):
    with pytest.raises(casework.Invalid) as exc:
        casework.record_action(users["peksos"], case, tahap="asesmen", waktu=wib(2024, 2, 1))
    assert list(exc.value.errors) == ["waktu"]
    assert "sebelum waktu laporan kasus" in exc.value.messages("id")["waktu"][0]
    assert "before the case's report time" in exc.value.messages("en")["waktu"][0]
    assert not Action.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_service_only_on_its_stages_and_costs_not_negative(case, users):
    with pytest.raises(casework.Invalid) as exc:
        casework.record_action(users["peksos"], case, tahap="asesmen", layanan="permakanan", biaya=-5,
                               waktu=wib(2024, 3, 2))
    assert set(exc.value.errors) == {"layanan", "biaya"}
    a = casework.record_action(users["peksos"], case, tahap="intervensi", layanan="permakanan", biaya=150000,
                               waktu=wib(2024, 3, 2))
    assert a.service == "permakanan" and a.staff == users["peksos"]


@pytest.mark.django_db
def test_action_time_defaults_to_now_and_notes_are_encrypted(case, users):
    a = casework.record_action(users["peksos"], case, tahap="pendekatan_awal", catatan=NOTE)
    assert abs((a.time - dt.datetime.now(dt.UTC)).total_seconds()) < 120
    assert NOTE.encode() not in bytes(Action.objects.get(pk=a.pk).notes_enc)
    case.refresh_from_db()
    assert case.first_pendekatan_awal == a.time  # the derived stage time follows


@pytest.mark.django_db
def test_closure_not_before_report_and_acknowledgement_not_before_sending(case, users):
    with pytest.raises(casework.Invalid) as exc:
        casework.propose_closure(users["peksos"], case, alasan_penutupan="reunifikasi_keluarga",
                                 ditutup_pada=wib(2024, 1, 1))
    assert "ditutup_pada" in exc.value.errors
    r = casework.send_referral(users["peksos"], case, mitra="uptd_ppa", dikirim_pada=wib(2024, 3, 5))
    with pytest.raises(casework.Invalid) as exc:
        casework.update_referral(users["peksos"], r, versi=1, diterima_pada=wib(2024, 3, 4))
    assert "diterima sebelum dikirim" in exc.value.messages("id")["diterima_pada"][0]
    r = casework.update_referral(users["peksos"], r, versi=1, diterima_pada=wib(2024, 3, 6), hasil="diterima")
    assert r.version == 2 and Referral.objects.get(pk=r.pk).result == "diterima"


@pytest.mark.django_db
def test_register_a_new_child_then_a_known_one(units, users):
    done = casework.register_case(users["peksos"], nomor_kasus="2024/0001", kategori="kekerasan",
                                  sumber_rujukan="kepolisian", tingkat_risiko="tinggi",
                                  dilaporkan_pada=wib(2024, 5, 1, 8), jenis_kelamin="P", usia=12,
                                  nama_anak=NAME, nik=NIK)
    child = done.case.child
    assert done.new_child and child.pseudonym == "A-2024-0001" and child.initials == "SRK"
    assert done.case.worker == users["peksos"] and done.case.age_at_report == 12
    assert NIK.encode() not in bytes(child.nik_enc) and child.nik_index
    # the same NIK again without naming the child: refused, naming the unit's own record
    with pytest.raises(casework.Invalid) as exc:
        casework.register_case(users["peksos"], nomor_kasus="2024/0002", kategori="kekerasan",
                               sumber_rujukan="kepolisian", tingkat_risiko="sedang", jenis_kelamin="P", nik=NIK)
    assert "A-2024-0001" in exc.value.messages("id")["nik"][0]
    # a known child by pseudonym; a contradicting sex is refused
    with pytest.raises(casework.Invalid) as exc:
        casework.register_case(users["peksos"], nomor_kasus="2024/0002", kategori="kekerasan",
                               sumber_rujukan="kepolisian", tingkat_risiko="sedang", anak="A-2024-0001",
                               jenis_kelamin="L")
    assert "jenis_kelamin" in exc.value.errors
    again = casework.register_case(users["peksos"], nomor_kasus="2024/0002", kategori="anak_jalanan",
                                   sumber_rujukan="penjangkauan", tingkat_risiko="sedang", anak="A-2024-0001",
                                   dilaporkan_pada=wib(2024, 9, 1), usia=13, kecamatan="Sail")
    assert not again.new_child and again.case.child_id == child.pk
    child.refresh_from_db()
    assert child.kecamatan == "Sail" and child.age_at_report == 13
    # a duplicate case number and a bad NIK
    with pytest.raises(casework.Invalid) as exc:
        casework.register_case(users["peksos"], nomor_kasus="2024/0002", kategori="kekerasan",
                               sumber_rujukan="kepolisian", tingkat_risiko="sedang", jenis_kelamin="L",
                               nik="1471019913100009")
    assert set(exc.value.errors) == {"nomor_kasus", "nik"}


@pytest.mark.django_db
def test_another_units_child_is_never_found_nor_named(units, users):
    other = factories.child(units["other"], name=NAME, nik=NIK)
    factories.case(units["other"], child_obj=other)
    done = casework.register_case(users["kasi"], nomor_kasus="X-1", kategori="kekerasan", sumber_rujukan="kepolisian",
                                  tingkat_risiko="sedang", jenis_kelamin="P", nik=NIK)
    assert done.new_child and done.case.child_id != other.pk
    assert done.same_nik == [] and done.same_nik_elsewhere is True  # told it exists, not where
    with pytest.raises(casework.Invalid):
        casework.register_case(users["kasi"], nomor_kasus="X-2", kategori="kekerasan", sumber_rujukan="kepolisian",
                               tingkat_risiko="sedang", anak=other.pseudonym)


# -- roles -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_worker_cannot_approve_and_only_the_section_head_assigns(case, users):
    plan = casework.submit_plan(users["peksos"], case, waktu=wib(2024, 3, 10), catatan="rencana")
    with pytest.raises(PermissionDenied):
        casework.decide(users["peksos"], plan, versi=plan.version, setuju=True)
    with pytest.raises(PermissionDenied):
        casework.assign_worker(users["peksos"], case, versi=case.version, peksos="peksos2")
    with pytest.raises(PermissionDenied):
        casework.record_action(users["pimpinan"], case, tahap="asesmen")
    with pytest.raises(Case.DoesNotExist):  # another unit's section head does not see the case
        casework.decide(users["other_kasi"], plan, versi=plan.version, setuju=True)
    with pytest.raises(casework.Invalid) as exc:  # returning needs a comment
        casework.decide(users["kasi"], plan, versi=plan.version, setuju=False)
    assert "komentar" in exc.value.errors
    casework.decide(users["kasi"], plan, versi=plan.version, setuju=True)
    case.refresh_from_db()
    assert case.plan_approved_at is not None
    assert Action.objects.get(pk=plan.action_id).approved_by == users["kasi"]
    moved = casework.assign_worker(users["kasi"], case, versi=case.version, peksos="peksos2")
    assert moved.worker == users["peksos2"]
    with pytest.raises(Case.DoesNotExist):  # no longer the first worker's case
        casework.record_action(users["peksos"], case, tahap="asesmen")


@pytest.mark.django_db
def test_closure_proposed_by_the_worker_and_approved_by_the_section_head(case, users):
    p = casework.propose_closure(users["peksos"], case, alasan_penutupan="reunifikasi_keluarga",
                                 ditutup_pada=wib(2024, 6, 1))
    with pytest.raises(casework.Invalid):  # one pending closure at a time
        casework.propose_closure(users["peksos"], case, alasan_penutupan="tujuan_tercapai")
    casework.decide(users["kasi"], p, versi=p.version, setuju=True, komentar="reunifikasi berhasil")
    case.refresh_from_db()
    assert case.closed_at == wib(2024, 6, 1) and case.closure_reason == "reunifikasi_keluarga"
    assert case.version == 2
    assert casework.read_comment(Approval.objects.get(pk=p.pk)) == "reunifikasi berhasil"


# -- history -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_history_says_who_changed_what_and_keeps_no_identity(case, users):
    a = casework.record_action(users["peksos"], case, tahap="asesmen", waktu=wib(2024, 3, 2), catatan=NOTE)
    casework.correct_action(users["kasi"], a, versi=1, biaya=50000, catatan=NOTE + " (diperbarui)")
    rows = list(Action.history.filter(id=a.pk).order_by("history_date"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert rows[0].identity_changed and rows[1].identity_changed
    assert rows[1].history_user == users["kasi"] and rows[1].cost == 50000
    assert not hasattr(rows[1], "notes_enc")  # the ciphertext is not copied either
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {Action.history.model._meta.db_table}")
        dump = repr(cur.fetchall())
    assert NOTE not in dump
    events = casework.timeline(case)
    change = [e for e in events if e.kind == "riwayat"]
    assert len(change) == 1 and change[0].who == "kasi" and change[0].identity_changed
    assert ("cost", None, 50000) in change[0].changes
    assert events[-1] is change[0]  # newest last


# -- versions ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_stale_save_is_refused_with_the_current_values(case, users):
    form_version = case.version
    casework.correct_case(users["kasi"], case, versi=form_version, tingkat_risiko="tinggi")
    stale = Case.objects.get(pk=case.pk)
    with pytest.raises(casework.Conflict) as exc:
        casework.correct_case(users["peksos"], stale, versi=form_version, tingkat_risiko="rendah")
    assert exc.value.current["tingkat_risiko"] == "tinggi" and exc.value.current["versi"] == form_version + 1
    assert Case.objects.get(pk=case.pk).risk == "tinggi"


@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_the_same_version_one_wins(units, users):
    """Two threads, each with its own database connection, save from the same version at once:
    exactly one write lands, the other is a Conflict, on SQLite and on PostgreSQL."""
    case = factories.case(units["seksi"], worker=users["peksos"], reported=wib(2024, 3, 1))
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(name: str, user, risk: str) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=30)
            casework.correct_case(user, mine, versi=1, tingkat_risiko=risk)
            outcome[name] = risk
        except casework.Conflict as exc:
            outcome[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=("a", users["kasi"], "tinggi")),
               threading.Thread(target=save, args=("b", users["peksos"], "rendah"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    wins = [v for v in outcome.values() if isinstance(v, str)]
    conflicts = [v for v in outcome.values() if isinstance(v, casework.Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcome
    now = Case.objects.get(pk=case.pk)
    assert now.risk == wins[0] and now.version == 2
    assert conflicts[0].current["tingkat_risiko"] == wins[0]


# -- the indicator engine ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_first_response_within_the_sla_moves_responses_on_time(units, users):
    from kinerja.indicators import measures

    case = factories.case(units["seksi"], worker=users["peksos"], reported=wib(2024, 3, 1, 9), risk="sedang")
    before = measures.compute(units["seksi"], dt.date(2024, 1, 1), dt.date(2025, 1, 1))["respon_tepat_waktu"]
    casework.record_action(users["peksos"], case, tahap="pendekatan_awal", waktu=wib(2024, 3, 1, 9) + 2 * H)
    after = measures.compute(units["seksi"], dt.date(2024, 1, 1), dt.date(2025, 1, 1))["respon_tepat_waktu"]
    value = getattr(before, "value", before)
    assert value in (0, 0.0)
    assert getattr(after, "value", after) == 100


# -- the pages ---------------------------------------------------------------------------------------
def _signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_case_page_records_an_action_and_shows_errors_beside_fields(case, users):
    c = _signed_in(users["peksos"])
    page = c.get(f"/kasus/{case.pk}/")
    assert page.status_code == 200 and f'action="/kasus/{case.pk}/tindakan/"' in page.content.decode()
    bad = c.post(f"/kasus/{case.pk}/tindakan/", {"tahap": "asesmen", "layanan": "permakanan",
                                                 "waktu": "2024-02-01T10:00"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "sebelum waktu laporan kasus" in body and "layanan hanya untuk tahap" in body
    assert re.search(r'aria-invalid="true"[^>]*name="waktu"|name="waktu"[^>]*aria-invalid="true"', body)
    ok = c.post(f"/kasus/{case.pk}/tindakan/", {"tahap": "asesmen", "waktu": "2024-03-02T10:00", "catatan": NOTE})
    assert ok.status_code == 302 and ok["Location"] == f"/kasus/{case.pk}/"
    a = Action.objects.get(case=case)
    assert a.time == wib(2024, 3, 2, 10) and a.staff == users["peksos"]
    assert NOTE not in c.get(f"/kasus/{case.pk}/").content.decode()  # notes stay hidden until a reveal


@pytest.mark.django_db
def test_the_case_page_conflict_is_a_409_with_current_values(case, users):
    c = _signed_in(users["kasi"])
    casework.correct_case(users["peksos"], case, versi=1, kecamatan="Tampan")
    r = c.post(f"/kasus/{case.pk}/koreksi/", {"versi": 1, "nomor_kasus": case.number, "kategori": "kekerasan",
                                              "sumber_rujukan": "kepolisian", "tingkat_risiko": "tinggi",
                                              "dilaporkan_pada": "2024-03-01T09:00", "kecamatan": "Sail"})
    assert r.status_code == 409 and "Tampan" in r.content.decode()
    assert Case.objects.get(pk=case.pk).kecamatan == "Tampan"


@pytest.mark.django_db
def test_plan_approval_through_the_pages(case, users):
    worker, head = _signed_in(users["peksos"]), _signed_in(users["kasi"])
    assert worker.post(f"/kasus/{case.pk}/rencana/", {"waktu": "2024-03-05T10:00", "catatan": "rencana"}).status_code == 302
    p = Approval.objects.get(case=case)
    assert worker.post(f"/kasus/{case.pk}/persetujuan/{p.pk}/", {f"p{p.pk}-versi": 1,
                                                                 f"p{p.pk}-setuju": "ya"}).status_code == 403
    returned = head.post(f"/kasus/{case.pk}/persetujuan/{p.pk}/", {f"p{p.pk}-versi": 1, f"p{p.pk}-setuju": "tidak"})
    assert returned.status_code == 400 and "sebutkan alasan pengembalian" in returned.content.decode()
    r = head.post(f"/kasus/{case.pk}/persetujuan/{p.pk}/", {f"p{p.pk}-versi": 1, f"p{p.pk}-setuju": "tidak",
                                                            f"p{p.pk}-komentar": "lengkapi asesmen"})
    assert r.status_code == 302
    assert "lengkapi asesmen" in worker.get(f"/kasus/{case.pk}/").content.decode()
    other = _signed_in(users["other_kasi"])
    assert other.post(f"/kasus/{case.pk}/penutupan/", {"alasan_penutupan": "lainnya"}).status_code == 404


@pytest.mark.django_db
def test_register_page_and_reveal_get_redirects(units, users):
    c = _signed_in(users["peksos"])
    assert c.get("/kasus/baru/").status_code == 200
    bad = c.post("/kasus/baru/", {"nomor_kasus": "W-1", "kategori": "kekerasan", "sumber_rujukan": "kepolisian",
                                  "tingkat_risiko": "sedang", "jenis_kelamin": "P", "nama_anak": NAME,
                                  "nik": "1234"})
    assert bad.status_code == 400 and "NIK harus 16 angka" in bad.content.decode()
    ok = c.post("/kasus/baru/", {"nomor_kasus": "W-1", "kategori": "kekerasan", "sumber_rujukan": "kepolisian",
                                 "tingkat_risiko": "sedang", "jenis_kelamin": "P", "nama_anak": NAME, "nik": NIK})
    case = Case.objects.get(number="W-1")
    assert ok.status_code == 302 and ok["Location"] == f"/kasus/{case.pk}/" and NIK not in ok["Location"]
    page = c.get(ok["Location"]).content.decode()
    assert NAME not in page and NIK not in page
    r = c.get(f"/kasus/{case.pk}/identitas/")
    assert r.status_code == 302 and r["Location"] == f"/kasus/{case.pk}/"
    assert Child.objects.filter(pk=case.child_id, nik_index__gt="").exists()
