"""Reports made in the background for the web page (reports.jobs): the form starts a job, its
progress is read step by step, the file goes once to its owner only, bad input makes nothing; and
the performance page's link to the report of what it shows, pre-filled."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time

import pytest
from django.conf import settings

from kinerja.reports import jobs
from kinerja.reports.models import ReportJob
from tests.test_dashboard import data  # noqa: F401  (fixture)
from tests.test_reports import SECTION, small  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

KINERJA_PDF = {"jenis": "kinerja", "unit": SECTION, "tahun": "2021", "kerangka": "dwiyanto", "format": "pdf"}
REKAP_XLSX = {"jenis": "rekap", "unit": SECTION, "tahun_awal": "2019", "tahun_akhir": "2021", "format": "xlsx"}


@pytest.fixture
def held(monkeypatch):
    """Jobs' work kept, not run: the test runs it when it wants to."""
    pending: list = []
    monkeypatch.setattr(jobs, "spawn", pending.append)
    return pending


@pytest.fixture
def at_once(monkeypatch):
    """Jobs' work run at once, in the request that starts them."""
    monkeypatch.setattr(jobs, "spawn", lambda work: work())


def _files() -> list[str]:
    return sorted(p.name for p in jobs.folder().iterdir())


def test_progress_is_recorded_step_by_step_and_the_pdf_goes_once(small, users, client, held, monkeypatch):  # noqa: F811
    client.force_login(users["kasi"])
    r = client.post("/laporan/tugas/", KINERJA_PDF)
    assert r.status_code == 202, r.content
    started = r.json()
    assert started["state"] == "antri" and started["step"] == 0 and started["total"] == 7
    assert started["text"] == "Menunggu dimulai…"
    job = ReportJob.objects.get()
    assert started["status_url"] == f"/laporan/tugas/{job.pk}/" and job.pk.version == 4
    assert job.params == {"unit": SECTION, "lang": "id", "publik": False, "year": 2021, "framework": "dwiyanto"}
    # the job's work, run now: after every step its owner asks the page for the progress
    seen: list[dict] = []
    record = jobs.record_step

    def spy(job_id, steps, key):
        record(job_id, steps, key)
        seen.append(client.get(started["status_url"]).json())

    monkeypatch.setattr(jobs, "record_step", spy)
    [work] = held
    work()
    assert [s["step"] for s in seen] == [1, 2, 3, 4, 5, 6, 7]
    assert [s["value"] for s in seen] == [0, 1, 2, 3, 4, 5, 6]  # steps finished
    assert {s["state"] for s in seen} == {"berjalan"} and {s["total"] for s in seen} == {7}
    assert seen[0]["text"] == "Langkah 1 dari 7: Menghitung kartu kinerja"
    assert seen[-1]["text"] == "Langkah 7 dari 7: Membuat berkas"
    done = client.get(started["status_url"]).json()
    assert done["state"] == "selesai" and done["value"] == 7 and done["text"] == "Laporan siap: unduhan dimulai."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the status in the reader's language
    assert client.get(started["status_url"]).json()["text"] == "The report is ready: the download starts."
    # the file lies encrypted in the data folder, owner-only
    path = jobs.file_path(job.pk)
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600 and b"%PDF" not in path.read_bytes()
    r = client.get(started["download_url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="kinerja-14\.71-RESOS-ANAK-2021\.pdf"', r["Content-Disposition"])
    assert r.content.startswith(b"%PDF")
    from pypdf import PdfReader

    assert "Seksi Rehabilitasi Sosial Anak" in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    # downloaded once: the file is gone, a second download finds nothing
    assert not path.exists()
    assert client.get(started["download_url"]).status_code == 404
    assert client.get(started["status_url"]).json()["state"] == "diunduh"


def test_xlsx_job_opens_and_only_its_owner_reads_it(small, users, client, at_once):  # noqa: F811
    import openpyxl

    client.force_login(users["kasi"])
    r = client.post("/laporan/tugas/", REKAP_XLSX)
    assert r.status_code == 202 and r.json()["state"] == "selesai"  # run at once
    status_url, download_url = r.json()["status_url"], r.json()["download_url"]
    job = ReportJob.objects.get()
    for other in ("other_kasi", "pimpinan", "evaluator"):  # roles with reports, not the job's owner
        client.force_login(users[other])
        assert client.get(status_url).status_code == 404
        assert client.get(download_url).status_code == 404
    client.force_login(users["peksos"])
    assert client.get(status_url).status_code == 403 and client.get(download_url).status_code == 403
    assert jobs.file_path(job.pk).exists()  # nobody else's attempt took it
    client.force_login(users["kasi"])
    r = client.get(download_url)
    assert r.status_code == 200 and r["Content-Disposition"].startswith('attachment; filename="rekap-')
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb["jumlah_per_tahun"].cell(row=5, column=2).value == 3  # 2020: three cases, inside the unit
    assert not jobs.file_path(job.pk).exists()


def test_the_evaluators_job_is_the_public_edition(small, users, client, at_once):  # noqa: F811
    import openpyxl

    client.force_login(users["evaluator"])
    r = client.post("/laporan/tugas/", REKAP_XLSX)  # no publik in the form: evaluators always get it
    assert r.status_code == 202 and ReportJob.objects.get().params["publik"] is True
    wb = openpyxl.load_workbook(io.BytesIO(client.get(r.json()["download_url"]).content))
    assert wb["jumlah_per_tahun"].cell(row=5, column=2).value == "<5"


@pytest.mark.parametrize("change, message", [
    ({"jenis": "bukan"}, "Laporan tidak dikenal."),
    ({"format": "csv"}, "Format ini tidak tersedia untuk laporan ini."),
    ({"unit": "14.72-RESOS-ANAK"}, "Pilih salah satu unit Anda."),
    ({"tahun": "20x0"}, "Tahun harus berupa angka"),
    ({"kerangka": "tidak-ada"}, "Kerangka penilaian tidak dikenal."),
    ({"kategori": "bukan"}, "Kategori kasus tidak dikenal."),
    ({"publik": "1", "kategori": "kekerasan"}, "Angka yang keluar dari unit hanya untuk semua kategori"),
])
def test_bad_input_gives_the_downloads_message_and_makes_nothing(small, users, client, held, change, message):  # noqa: F811
    client.force_login(users["kasi"])
    asked = {**KINERJA_PDF, **change}
    before = _files()
    r = client.post("/laporan/tugas/", asked)
    assert r.status_code == 400 and r.json()["error"].startswith(message), r.content
    plain = client.get("/laporan/", asked)  # the same message as the plain download's
    assert plain.status_code == 400 and r.json()["error"] in plain.content.decode()
    assert ReportJob.objects.count() == 0 and held == [] and _files() == before


def test_who_may_start_a_job(small, users, client, held):  # noqa: F811
    assert client.post("/laporan/tugas/", KINERJA_PDF).status_code == 302  # signed out: to the sign-in page
    for role in ("peksos", "admin"):
        client.force_login(users[role])
        assert client.post("/laporan/tugas/", KINERJA_PDF).status_code == 403
    client.force_login(users["kasi"])
    assert client.get("/laporan/tugas/", KINERJA_PDF).status_code == 405  # a start is a POST
    assert client.post("/laporan/tugas/", KINERJA_PDF).status_code == 202
    assert ReportJob.objects.count() == 1 and len(held) == 1


def test_csrf_is_required(small, users):  # noqa: F811
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["kasi"])
    assert client.post("/laporan/tugas/", KINERJA_PDF).status_code == 403
    assert ReportJob.objects.count() == 0


def test_a_failed_job_says_why_in_the_readers_language(small, users, client, at_once, monkeypatch):  # noqa: F811
    from kinerja.reports import service

    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(service, "make", broken)
    client.force_login(users["kasi"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post("/laporan/tugas/", KINERJA_PDF)
    body = r.json()
    assert r.status_code == 202 and body["state"] == "gagal"
    assert body["error"].startswith("The report could not be made.") and "crashed" not in body["error"]
    assert client.get(body["download_url"]).status_code == 404
    assert not jobs.file_path(ReportJob.objects.get().pk).exists()


def test_a_job_lost_by_a_restart_is_reported_failed(small, users, client, held):  # noqa: F811
    client.force_login(users["kasi"])
    url = client.post("/laporan/tugas/", KINERJA_PDF).json()["status_url"]
    ReportJob.objects.update(created_at=ReportJob.objects.get().created_at - jobs.STALE - dt.timedelta(seconds=1))
    body = client.get(url).json()
    assert body["state"] == "gagal" and body["error"].startswith("Laporan tidak dapat dibuat.")


def test_old_jobs_and_files_are_cleaned_when_a_job_starts(small, users, client, at_once):  # noqa: F811
    client.force_login(users["kasi"])
    old = client.post("/laporan/tugas/", REKAP_XLSX).json()
    old_job = ReportJob.objects.get()
    hour_ago = time.time() - jobs.KEEP.total_seconds() - 5
    os.utime(jobs.file_path(old_job.pk), (hour_ago, hour_ago))
    ReportJob.objects.update(created_at=old_job.created_at - jobs.KEEP - dt.timedelta(seconds=5))
    stray = jobs.folder() / "00000000-0000-4000-8000-000000000000.bin"  # a file whose row is gone
    stray.write_bytes(b"x")
    os.utime(stray, (hour_ago, hour_ago))
    assert client.get(old["download_url"]).status_code == 404  # too old, even before the cleaning
    new = client.post("/laporan/tugas/", REKAP_XLSX).json()
    assert [str(pk) for pk in ReportJob.objects.values_list("pk", flat=True)] == [new["status_url"].split("/")[3]]
    assert not jobs.file_path(old_job.pk).exists() and not stray.exists()
    assert client.get(new["download_url"]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_server_thread_makes_the_report_while_the_page_polls(small, users, client):  # noqa: F811
    """The real path: the job runs in a thread of the server process, the status is polled."""
    client.force_login(users["kasi"])
    r = client.post("/laporan/tugas/", KINERJA_PDF)
    assert r.status_code == 202
    url = r.json()["status_url"]
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(url).json()
        seen.append((body["state"], body["step"]))
        if body["state"] in ("selesai", "gagal"):
            break
        time.sleep(0.05)
    assert seen[-1] == ("selesai", 7), seen
    steps = [s for _state, s in seen]
    assert steps == sorted(steps)  # never back
    r = client.get(r.json()["download_url"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


# -- the performance page's link ---------------------------------------------------------------


def test_the_performance_page_links_to_its_report_for_roles_with_reports(client, users, data):  # noqa: F811
    client.force_login(users["kasi"])
    html = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha", "kategori": "kekerasan,anak_jalanan"}
                      ).content.decode()
    link = re.search(r'<a href="(/laporan/\?[^"]*)">Unduh laporan</a>', html)
    assert link, "no report link"
    assert link.group(1) == ("/laporan/?unit=14.71-RESOS-ANAK&amp;tahun=2023&amp;kerangka=nasucha"
                             "&amp;kategori=anak_jalanan&amp;kategori=kekerasan#laporan-kinerja")
    client.force_login(users["pimpinan"])
    assert "Unduh laporan" in client.get("/kinerja/", {"tahun": "2023"}).content.decode()
    client.force_login(users["peksos"])  # a social worker's own level has no report
    r = client.get("/kinerja/", {"tahun": "2023"})
    assert r.status_code == 200 and "Unduh laporan" not in r.content.decode() and "/laporan/" not in r.content.decode()


def test_the_reports_page_preselects_what_the_link_carries(client, users, data):  # noqa: F811
    client.force_login(users["kasi"])
    html = client.get("/laporan/", {"unit": SECTION, "tahun": "2022", "kerangka": "nasucha",
                                    "kategori": ["anak_jalanan", "kekerasan"]}).content.decode()
    form = html[html.index('id="laporan-kinerja"'):]
    assert re.search(r'<option value="14.71-RESOS-ANAK" selected>', form)
    assert re.search(r"<option selected>2022</option>", form) and "<option selected>2023</option>" not in form
    assert re.search(r'<option value="nasucha" selected>', form) and '<option value="dwiyanto" selected>' not in form
    checked = re.findall(r'name="kategori" value="(\w+)" checked', form)
    assert checked == ["anak_jalanan", "kekerasan"]
    # without a query: the last year, the default framework, no category
    plain = client.get("/laporan/").content.decode()
    plain = plain[plain.index('id="laporan-kinerja"'):]
    assert "<option selected>2023</option>" in plain and '<option value="dwiyanto" selected>' in plain
    assert " checked>" not in plain
    # what is not the reader's to choose is not pre-selected
    other = client.get("/laporan/", {"unit": "14.72-RESOS-ANAK", "tahun": "1990", "kategori": "bukan"}).content.decode()
    other = other[other.index('id="laporan-kinerja"'):]
    assert 'value="14.72-RESOS-ANAK"' not in other and "RESOS-ANAK\" selected" not in other
    assert "<option selected>2023</option>" in other and " checked>" not in other
