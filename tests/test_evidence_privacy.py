"""Transcripts and memos never reach the database file or a dump in clear text; exports of them
are audited. Committed data is needed for the raw scans, hence transactional tests."""

from __future__ import annotations

import subprocess

import pytest
from django.db import connection

from kinerja.evidence import exchange, services
from kinerja.evidence.models import Code
from kinerja.register import services as register_services
from kinerja.register.models import AuditEntry
from tests.evidence_factories import evaluation_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE_SECRET = "Pesan rahasia transkrip Zulkarnaen-7731 tentang anak"
MEMO_SECRET = "Memo rahasia Kartini-4412 dari peneliti"
CODING_SECRET = "Catatan koding Sulastri-9083"
TITLE = "Judul-terlihat-5521"  # metadata, stored in clear: proves the scan reads real rows


def _store(users, evaluation) -> None:
    ev = users["evaluator"]
    source = services.import_source(ev, evaluation, f"{SOURCE_SECRET}.\n\nParagraf kedua.".encode(), "w.txt",
                                    source_type="wawancara", title=TITLE)
    coding = services.add_coding(ev, source, Code.objects.get(evaluation=evaluation, name="anggaran"), 0, 10, memo=CODING_SECRET)
    services.add_memo(ev, evaluation, MEMO_SECRET, source=source)
    services.add_memo(ev, evaluation, MEMO_SECRET + " (koding)", coding=coding)


def _raw_database() -> bytes:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(FULL)")
        path = connection.settings_dict["NAME"]
        data = open(path, "rb").read()
        for suffix in ("-wal", "-journal"):
            try:
                data += open(path + suffix, "rb").read()
            except FileNotFoundError:
                pass
        return data
    s = connection.settings_dict
    cmd = ["pg_dump", "--format=plain", "--data-only", "--dbname", s["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            cmd += [flag, str(s[key])]
    env = {"PGPASSWORD": str(s.get("PASSWORD") or ""), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(cmd, capture_output=True, check=True, env=env).stdout


def test_texts_and_memos_are_not_in_the_database_in_clear(users, evaluation):
    _store(users, evaluation)
    raw = _raw_database()
    assert TITLE.encode() in raw  # the scan sees committed rows
    for secret in (SOURCE_SECRET, MEMO_SECRET, CODING_SECRET):
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            assert encoded not in raw, secret
        assert secret.split()[2].encode() not in raw  # not even the distinctive word


def test_exports_of_transcripts_are_audited_and_chain_stays_intact(users, evaluation):
    _store(users, evaluation)
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 0
    qdpx = exchange.export_qdpx(users["evaluator"], evaluation, "arsip untuk pembimbing")
    csv_data = exchange.export_segments(users["kasi"], evaluation, "bahan rapat evaluasi", "csv")
    assert SOURCE_SECRET[:10].encode() in csv_data and len(qdpx) > 0
    entries = list(AuditEntry.objects.exclude(action__startswith="account_").order_by("seq"))
    assert [(e.username, e.action, e.record, e.reason) for e in entries] == [
        ("peneliti", "ekspor_bukti_qdpx", "bukti:uji", "arsip untuk pembimbing"),
        ("kasi", "ekspor_bukti_segmen", "bukti:uji:segmen", "bahan rapat evaluasi"),
    ]
    assert all(SOURCE_SECRET not in e.detail and MEMO_SECRET not in e.detail for e in entries)
    assert register_services.verify_audit() is None


def test_errors_do_not_echo_transcript_text(users, evaluation):
    _store(users, evaluation)
    source = services.import_source(users["evaluator"], evaluation, f"{SOURCE_SECRET}\n".encode(), "x.txt", source_type="observasi")
    with pytest.raises(services.EvidenceInputError) as err:
        services.add_coding(users["evaluator"], source, Code.objects.get(name="sdm"), 0, 10_000)
    assert all("Zulkarnaen" not in str(m) for m in err.value.messages)
