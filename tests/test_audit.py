"""The audit log is append-only and hash-chained; `kinerja audit verify` names the first broken link."""

from __future__ import annotations

import pytest

from kinerja import auditchain


@pytest.fixture
def chain(db):
    from kinerja.register import services

    for i in range(5):
        services.audit(f"user{i}", "reveal_identity", f"anak:U:A-2020-000{i}", f"alasan {i}")
    return services


def test_intact_chain_verifies(chain):
    from kinerja.register.models import AuditEntry

    assert chain.verify_audit() is None
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == auditchain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))


def test_edited_entry_is_reported(chain):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=3).update(reason="diubah")
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 3


def test_deleted_entry_is_reported(chain):
    from kinerja.register.models import AuditEntry

    AuditEntry.objects.filter(seq=2).delete()
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 2 and broken.reason == "missing entry"


def test_rehashed_entry_breaks_the_next_link(chain):
    """Recomputing one entry's hash after editing it still breaks the link from the entry after it."""
    from kinerja.register.models import AuditEntry

    e = AuditEntry.objects.get(seq=4)
    row = {"seq": e.seq, "at": chain.audit_rows()[3]["at"], "username": "intruder", "action": e.action,
           "record": e.record, "reason": e.reason, "detail": e.detail}
    AuditEntry.objects.filter(seq=4).update(username="intruder", hash=auditchain.entry_hash(e.prev_hash, row))
    broken = chain.verify_audit()
    assert broken is not None and broken.seq == 5


def test_model_refuses_update_and_delete(chain):
    from kinerja.register.models import AuditEntry

    e = AuditEntry.objects.get(seq=1)
    e.reason = "x"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


def test_cli_audit_verify_exit_status(chain, capsys):
    from kinerja.cli import main
    from kinerja.register.models import AuditEntry

    assert main(["audit", "verify"]) == 0
    assert "5 entries" in capsys.readouterr().out
    AuditEntry.objects.filter(seq=5).update(action="export_identity")
    assert main(["audit", "verify"]) == 1
    assert "5" in capsys.readouterr().err
