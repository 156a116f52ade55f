"""The audit log is append-only and chained with keyed hashes, and its head is kept in a checkpoint
file outside the database: `kinerja audit verify` names the first broken entry after an edit, a
deleted tail, or a whole chain recomputed without the audit key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import secrets
import stat
import threading

import pytest

from kinerja import auditchain


@pytest.fixture
def head_file(settings, tmp_path):
    """Each test gets its own checkpoint file."""
    path = tmp_path / "audit-head.json"
    settings.KINERJA = dataclasses.replace(settings.KINERJA, audit_head_file=path)
    return path


@pytest.fixture
def chain(db, head_file, django_capture_on_commit_callbacks):
    """Five entries written as the app writes them, the checkpoint following each commit."""
    from kinerja.register import services

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            services.audit(f"user{i}", "reveal_identity", f"anak:U:A-2020-000{i}", f"alasan {i}")
    return services


@pytest.fixture
def legacy_key_file(monkeypatch):
    """The key file of an installation older than keyed audit hashes."""
    from kinerja.register import keyring

    monkeypatch.setattr(keyring.keyring(), "audit_legacy", True)


def cli(capsys, *args):
    from kinerja.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def entries():
    from kinerja.register.models import AuditEntry

    return list(AuditEntry.objects.order_by("seq"))


def rehash_all(services, key, scheme, start=1):
    """What an intruder with write access to the database does after an edit: recompute every hash
    from `start` on, with plain SHA-256 (key None) or with a key of their own."""
    from kinerja.register.models import AuditEntry

    rows = services.audit_rows()
    prev = rows[start - 2]["hash"] if start > 1 else auditchain.GENESIS
    for row in rows[start - 1:]:
        digest = auditchain.entry_hash(prev, row, key)
        AuditEntry.objects.filter(seq=row["seq"]).update(prev_hash=prev, hash=digest, scheme=scheme)
        prev = digest


def add_legacy_entries(n):
    """Entries as the unkeyed chain wrote them before keyed hashes (scheme sha256)."""
    from kinerja.register.models import AuditEntry

    prev = auditchain.GENESIS
    for seq in range(1, n + 1):
        at = dt.datetime(2020, 1, seq, 8, 0, tzinfo=dt.UTC)
        fields = {"seq": seq, "at": at.isoformat(timespec="microseconds"), "username": "lama", "action": "export",
                  "record": f"r{seq}", "reason": "laporan", "detail": "{}"}
        digest = auditchain.entry_hash(prev, fields)
        AuditEntry.objects.create(prev_hash=prev, hash=digest, scheme=auditchain.LEGACY,
                                  **{**fields, "at": at})
        prev = digest


# -- the chain ---------------------------------------------------------------------------------------
def test_intact_chain_verifies_and_the_checkpoint_follows_each_write(chain, head_file):
    from kinerja.register import keyring

    assert chain.verify_audit() is None
    rows = entries()
    assert [e.seq for e in rows] == [1, 2, 3, 4, 5]
    assert {e.scheme for e in rows} == {auditchain.KEYED}
    assert rows[0].prev_hash == auditchain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    # the hash is keyed: plain SHA-256 of the same content does not give it
    row = chain.audit_rows()[0]
    assert row["hash"] == auditchain.entry_hash(auditchain.GENESIS, row, keyring.audit_key())
    assert row["hash"] != auditchain.entry_hash(auditchain.GENESIS, row)

    cp = auditchain.read_checkpoint(head_file, keyring.audit_key())
    assert cp is not None and cp.head.seq == 5 and cp.head.hash == rows[-1].hash
    assert stat.S_IMODE(os.stat(head_file).st_mode) == 0o600
    assert json.loads(head_file.read_text())["count"] == 5
    assert [p.name for p in head_file.parent.iterdir() if p.name.endswith(".tmp")] == []
    report = chain.audit_report()
    assert report.ok and not report.warnings and report.count == 5 and report.head.hash == rows[-1].hash


def test_edited_entry_is_reported(chain, capsys):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=3).update(reason="diubah")
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 3 and "keyed hash" in broken.reason
    report = chain.audit_report()
    assert not report.ok and report.broken.seq == 3
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 1 and out == ""
    assert "Rantai audit putus pada entri 3" in err and "audit chain broken at entry 3" in err


def test_deleted_entry_is_reported(chain):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=2).delete()
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 2 and broken.reason == "missing entry"
    assert broken.alasan == "entri hilang"


def test_edit_rehashed_with_plain_sha256_breaks_at_the_edit(chain):
    """Recomputing an edited entry's hash without the audit key does not give its keyed hash."""
    from kinerja.register.models import AuditEntry

    e = AuditEntry.objects.get(seq=4)
    row = {**chain.audit_rows()[3], "username": "intruder"}
    AuditEntry.objects.filter(seq=4).update(username="intruder", hash=auditchain.entry_hash(e.prev_hash, row))
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 4


def test_model_refuses_update_and_delete(chain):
    from kinerja.register.models import AuditEntry

    e = AuditEntry.objects.get(seq=1)
    e.reason = "x"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


def test_cli_audit_verify_exit_status(chain, capsys):
    from kinerja.register.models import AuditEntry

    code, out, err = cli(capsys, "audit", "verify")
    assert code == 0 and "5 entries" in out and err == ""
    assert "titik periksa cocok / the checkpoint matches" in out
    AuditEntry.objects.filter(seq=5).update(action="export_identity")
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 1 and "entri 5" in err and "entry 5" in err


# -- truncation ----------------------------------------------------------------------------------------
def test_deleted_last_entries_are_caught_by_the_checkpoint(chain, capsys):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq__gte=4).delete()
    assert chain.verify_audit() is None  # what is left is a whole chain: only the checkpoint knows more
    report = chain.audit_report()
    assert not report.ok and report.broken.seq == 4
    assert "entries 4 to 5 were deleted" in report.failures[0] and "entri 4 sampai 5 dihapus" in report.failures[0]
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 1 and "entry 4" in err and "entri 4" in err


def test_deleted_last_entries_are_caught_by_a_printed_head(chain, head_file, capsys):
    """Someone who can delete the checkpoint file too is still caught by a head kept elsewhere."""
    from kinerja.register.models import AuditEntry

    code, out, _ = cli(capsys, "audit", "head")
    assert code == 0
    token = out.strip().splitlines()[-1]
    rows = entries()
    assert token == f"5:{rows[-1].hash}"
    assert "jumlah entri / entries:  5" in out and "seq terakhir / last seq: 5" in out and rows[-1].hash in out
    assert rows[-1].at.astimezone(dt.UTC).isoformat(timespec="microseconds") in out

    code, out, err = cli(capsys, "audit", "verify", "--head", token[:2 + 16])  # a shortened hash is enough
    assert code == 0 and "kepala tercetak cocok / the printed head matches" in out

    head_file.unlink()
    AuditEntry.objects.filter(seq__gte=3).delete()
    code, out, err = cli(capsys, "audit", "verify", "--head", token)
    assert code == 1
    assert "entry 3" in err and "the printed head" in err and "no checkpoint file" in err


def test_printed_head_behind_the_chain_is_fine_and_a_malformed_one_is_refused(chain, capsys,
                                                                               django_capture_on_commit_callbacks):
    rows = entries()
    with django_capture_on_commit_callbacks(execute=True):
        chain.audit("kasi", "export_identity", "unit:X", "laporan")
    code, out, _ = cli(capsys, "audit", "verify", "--head", f"3:{rows[2].hash}")
    assert code == 0 and "3 entries were written after it" in out
    code, _, _ = cli(capsys, "audit", "verify", "--head", f"3:{rows[1].hash}")
    assert code == 1
    with pytest.raises(SystemExit) as exc:
        cli(capsys, "audit", "verify", "--head", "tiga:abc")
    assert exc.value.code == 2
    with pytest.raises(ValueError, match="COUNT:HASH"):
        auditchain.parse_head("3:abcdef")  # too short to be evidence


# -- full rehash -----------------------------------------------------------------------------------------
def test_full_rehash_with_plain_sha256_is_caught(chain):
    rehash_all(chain, None, auditchain.KEYED)
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 1 and "keyed hash" in broken.reason


def test_full_rehash_as_legacy_entries_is_caught(chain):
    """Marking every entry as a legacy SHA-256 one does not help: this key file never had any."""
    rehash_all(chain, None, auditchain.LEGACY)
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 1 and "never had unkeyed entries" in broken.reason


def test_full_rehash_as_legacy_in_an_upgraded_installation_is_caught_by_the_checkpoint(chain, legacy_key_file):
    """Where unkeyed entries may lead the chain, the recomputed chain holds by itself, but its head
    is not the head recorded outside the database."""
    head = entries()[-1]
    rehash_all(chain, None, auditchain.LEGACY)
    assert chain.verify_audit() is None
    report = chain.audit_report()
    assert not report.ok and report.broken.seq == 5 and "rewritten" in report.failures[0]
    report = chain.audit_report(auditchain.Head(5, head.hash))
    assert len(report.failures) == 2 and "printed head" in report.failures[1]


def test_rehash_from_an_edit_as_legacy_entries_is_caught(chain, legacy_key_file):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=3).update(reason="diubah")
    rehash_all(chain, None, auditchain.LEGACY, start=3)
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 3 and "after keyed ones" in broken.reason


def test_full_rehash_with_another_hmac_key_is_caught(chain, capsys):
    rehash_all(chain, secrets.token_bytes(32), auditchain.KEYED)
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 1 and "keyed hash" in broken.reason
    code, _, err = cli(capsys, "audit", "verify")
    assert code == 1 and "entri 1" in err and "entry 1" in err


# -- the checkpoint file ---------------------------------------------------------------------------------
def test_checkpoint_behind_the_database_is_an_explained_warning(chain, capsys):
    """Entries committed without the file following (here: the commit hooks never run) are keyed
    and whole; the operator is told how that happens and what to do."""
    chain.audit("kasi", "export_identity", "unit:X", "laporan")
    chain.audit("kasi", "export_identity", "unit:X", "laporan")
    report = chain.audit_report()
    assert report.ok and len(report.warnings) == 1
    assert "entries 6-7 were written without updating the file" in report.warnings[0]
    assert "entri 6-7 ditulis tanpa memperbarui berkas itu" in report.warnings[0]
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 0 and "7 entries" in out and "PERINGATAN / WARNING" in err
    code, _, _ = cli(capsys, "audit", "verify", "--strict")
    assert code == 1
    code, out, _ = cli(capsys, "audit", "checkpoint")  # brings it forward, no reason needed
    assert code == 0 and out.strip().endswith(f"7:{entries()[-1].hash}")
    assert chain.audit_report().warnings == []


def test_missing_checkpoint_is_a_warning(chain, head_file, capsys):
    head_file.unlink()
    report = chain.audit_report()
    assert report.ok and len(report.warnings) == 1 and "no checkpoint file" in report.warnings[0]
    code, _, err = cli(capsys, "audit", "verify")
    assert code == 0 and "Tidak ada berkas titik periksa" in err


def test_empty_log_without_checkpoint_is_quiet(db, head_file, capsys):
    from kinerja.register import services

    report = services.audit_report()
    assert report.ok and report.count == 0 and report.warnings == []
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 0 and "0 entries" in out and err == ""
    code, out, _ = cli(capsys, "audit", "head")
    assert code == 0 and "kosong / the audit log is empty" in out


def test_edited_checkpoint_file_is_a_failure(chain, head_file):
    data = json.loads(head_file.read_text())
    data["seq"] = data["count"] = 3  # as if three entries had been recorded
    head_file.write_text(json.dumps(data))
    report = chain.audit_report()
    assert not report.ok and "MAC" in report.failures[0]
    head_file.write_text("{ half a file")
    report = chain.audit_report()
    assert not report.ok and "cannot be read" in report.failures[0]


def test_checkpoint_of_another_chain_is_a_failure(chain):
    """A database whose entries are keyed but are not the ones the checkpoint recorded (replaced
    wholesale, or written again after the tail was cut) fails at the recorded entry."""
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq__gte=3).delete()
    for _ in range(4):
        chain.audit("kasi", "export_identity", "unit:X", "laporan")
    assert chain.verify_audit() is None
    report = chain.audit_report()
    assert not report.ok and report.broken.seq == 5 and "another database" in report.failures[0]
    # and the next write does not move the checkpoint past the evidence
    assert chain.advance_audit_checkpoint() is None
    assert not chain.audit_report().ok


def test_checkpoint_never_goes_backwards(tmp_path):
    key = secrets.token_bytes(32)
    path = tmp_path / "head.json"
    h = {n: auditchain.Head(n, f"{n:064x}", "2025-01-01T00:00:00+00:00") for n in range(1, 10)}
    assert auditchain.advance_checkpoint(path, key, lambda: h[7], lambda s: h[s].hash).head == h[7]
    # an older head (a writer that committed earlier but took the lock later) leaves it as it is
    assert auditchain.advance_checkpoint(path, key, lambda: h[5], lambda s: h[s].hash) is None
    assert auditchain.read_checkpoint(path, key).head == h[7]
    # a chain that no longer holds the recorded hash does not move it
    assert auditchain.advance_checkpoint(path, key, lambda: h[9], lambda s: "f" * 64) is None
    assert auditchain.advance_checkpoint(path, key, lambda: h[9], lambda s: h[s].hash).head == h[9]
    assert auditchain.advance_checkpoint(path, key, lambda: h[5], lambda s: h[s].hash, force=True).head == h[5]
    with pytest.raises(auditchain.CheckpointError):
        auditchain.read_checkpoint(path, secrets.token_bytes(32))  # another key


def test_reanchoring_after_a_restore_needs_a_reason_and_is_on_record(chain, capsys):
    """Restoring an older backup looks like a cut tail; the operator says why and the checkpoint is
    moved to the restored head, with the old head kept in the chain."""
    from kinerja.register.models import AuditEntry

    old = entries()[-1]
    AuditEntry.objects.filter(seq__gte=4).delete()
    code, _, err = cli(capsys, "audit", "checkpoint")
    assert code == 1 and "--reason" in err
    code, out, _ = cli(capsys, "audit", "checkpoint", "--reason", "dipulihkan dari cadangan 1 Mei")
    assert code == 0
    last = entries()[-1]
    assert last.seq == 4 and last.action == "audit_checkpoint_reset" and last.reason.startswith("dipulihkan")
    assert json.loads(last.detail)["old_seq"] == 5 and json.loads(last.detail)["old_hash"] == old.hash
    assert out.strip().endswith(f"4:{last.hash}")
    report = chain.audit_report()
    assert report.ok and report.warnings == []


def test_a_broken_chain_gets_no_head_and_no_checkpoint(chain, capsys):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=2).update(reason="diubah")
    code, out, err = cli(capsys, "audit", "head")
    assert code == 1 and out == "" and "entri 2" in err
    code, _, err = cli(capsys, "audit", "checkpoint", "--reason", "coba saja")
    assert code == 1 and "entry 2" in err


# -- upgrades and keys ---------------------------------------------------------------------------------
def test_legacy_prefix_verifies_and_keyed_entries_follow(db, head_file, legacy_key_file,
                                                         django_capture_on_commit_callbacks, capsys):
    from kinerja.register import services
    from kinerja.register.models import AuditEntry

    add_legacy_entries(3)
    with django_capture_on_commit_callbacks(execute=True):
        services.audit("kasi", "export_identity", "unit:X", "laporan")
        services.audit("kasi", "export_identity", "unit:X", "laporan")
    assert [e.scheme for e in entries()] == ["sha256"] * 3 + ["hmac"] * 2
    assert entries()[3].prev_hash == entries()[2].hash
    assert services.verify_audit() is None
    report = services.audit_report()
    assert report.ok and report.legacy == 3 and report.count == 5
    code, out, _ = cli(capsys, "audit", "verify")
    assert code == 0 and "3 SHA-256 lama / legacy, 2 HMAC" in out
    # a legacy entry still may not be edited
    AuditEntry.objects.filter(seq=2).update(reason="diubah")
    broken = services.verify_audit()
    assert broken is not None and broken.seq == 2 and broken.reason == "content does not match its hash"


def test_legacy_entries_are_refused_by_a_key_file_that_never_had_them(db):
    from kinerja.register import services

    add_legacy_entries(2)
    services.audit("kasi", "export_identity", "unit:X", "laporan")
    broken = services.verify_audit()
    assert broken is not None and broken.seq == 1


def test_an_older_key_file_gains_one_audit_key_and_keeps_its_keys(tmp_path):
    from kinerja.identity import Keyring

    path = tmp_path / "keys.json"
    ring = Keyring.generate(path)
    ring.save()
    data = json.loads(path.read_text())
    del data["audit_key"], data["audit_legacy"]
    path.write_text(json.dumps(data))  # as the key file was before keyed audit hashes

    upgraded = Keyring.load_or_create(path)
    assert upgraded.audit_key is not None and len(upgraded.audit_key) == 32 and upgraded.audit_legacy
    assert upgraded.keys == ring.keys and upgraded.index_key == ring.index_key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Keyring.load_or_create(path)
    assert again.audit_key == upgraded.audit_key and again.audit_legacy
    # a new key file has its audit key from the start, and no legacy entries to allow
    fresh = Keyring.load_or_create(tmp_path / "baru" / "keys.json")
    assert fresh.audit_key is not None and not fresh.audit_legacy


def test_rotating_the_encryption_key_keeps_the_chain_verifiable(chain):
    from kinerja.register import keyring

    before = keyring.audit_key()
    chain.rotate_keys()
    keyring.reset()
    assert keyring.audit_key() == before
    assert chain.verify_audit() is None
    assert entries()[-1].action == "rotate_key"


# -- two writers ------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_linear_and_the_checkpoint_current(head_file):
    """Two connections append at once: every seq once, every link to the entry before, and the
    checkpoint file at the final head (no writer moved it back)."""
    from django.db import connection

    from kinerja.register import keyring, services

    per_thread = 12
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name):
        try:
            barrier.wait()
            for i in range(per_thread):
                services.audit(name, "export_identity", f"unit:{name}:{i}", "laporan berkala")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("kasi1", "kasi2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = entries()
    assert [e.seq for e in rows] == list(range(1, 2 * per_thread + 1))
    assert {e.username for e in rows} == {"kasi1", "kasi2"}
    assert services.verify_audit() is None
    cp = auditchain.read_checkpoint(head_file, keyring.audit_key())
    assert cp is not None and cp.head.seq == 2 * per_thread and cp.head.hash == rows[-1].hash
    report = services.audit_report()
    assert report.ok and report.warnings == []
