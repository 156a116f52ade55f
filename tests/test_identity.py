"""Identity protection: encryption bound to its row, rotation, blind index, display, reveal audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kinerja import identity
from kinerja.identity import IdentityError, Keyring


def test_ciphertext_is_bound_to_table_column_and_row():
    ring = Keyring.generate()
    blob = ring.encrypt("Siti Hajar", "anak", "name", "row-1")
    assert b"Siti" not in blob
    assert ring.decrypt(blob, "anak", "name", "row-1") == "Siti Hajar"
    for table, column, row in [("anak", "name", "row-2"), ("anak", "address", "row-1"), ("x", "name", "row-1")]:
        with pytest.raises(IdentityError):
            ring.decrypt(blob, table, column, row)


def test_tampered_ciphertext_fails():
    ring = Keyring.generate()
    blob = bytearray(ring.encrypt("1471010101100001", "anak", "nik", "r"))
    blob[-1] ^= 1
    with pytest.raises(IdentityError):
        ring.decrypt(bytes(blob), "anak", "nik", "r")


def test_rotation_keeps_old_ciphertexts_readable_and_names_the_key(tmp_path):
    ring = Keyring.load_or_create(tmp_path / "keys.json")
    old = ring.encrypt("A", "t", "c", "r")
    old_id = ring.current
    new_id = ring.add_key()
    ring.save()
    again = Keyring.load_or_create(tmp_path / "keys.json")
    assert again.current == new_id != old_id
    assert Keyring.key_id_of(old) == old_id
    assert again.decrypt(old, "t", "c", "r") == "A"
    assert Keyring.key_id_of(again.encrypt("A", "t", "c", "r")) == new_id


def test_blind_index_matches_equal_niks_only():
    ring = Keyring.generate()
    assert ring.blind_index("1471 0101 0110 0001") == ring.blind_index("1471010101100001")
    assert ring.blind_index("1471010101100001") != ring.blind_index("1471010101100002")
    assert Keyring.generate().blind_index("1471010101100001") != ring.blind_index("1471010101100001")
    assert ring.blind_index("") is None


@pytest.mark.parametrize(
    "nik,ok",
    [
        ("1471010101100001", True),  # 01-01-10
        ("1471014101100001", True),  # woman: day 41 -> 01
        ("1471013202100001", False),  # 32 February
        ("1471017101100001", True),  # woman born on the 31st: 71 - 40
        ("147101010110000", False),
        ("14710101011000AB", False),
        ("1471010113100001", False),  # month 13
    ],
)
def test_nik_rule(nik, ok):
    assert (identity.nik_problem(nik) is None) is ok


def test_display_and_initials():
    assert identity.initials("Siti hajar binti Ali") == "SHB"
    assert identity.initials("") == "-"
    assert identity.display("A-2018-0007", "SH", 14) == "A-2018-0007 · SH, 14 th"
    assert identity.display("A-2018-0007", "SH", 14, "en") == "A-2018-0007 · SH, 14 y"
    born = dt.date(2010, 6, 15)
    assert identity.age_on(born, None, None, dt.date(2024, 6, 14)) == 13
    assert identity.age_on(born, None, None, dt.date(2024, 6, 15)) == 14
    assert identity.age_on(None, 12, dt.date(2020, 3, 1), dt.date(2022, 3, 1)) == 14


@pytest.fixture
def child_case(users, units):
    from kinerja.register import services
    from kinerja.register.models import Case, Child

    child = Child(unit=units["seksi"], child_key="K1", pseudonym="A-2020-0001", sex="P", age_at_report=12)
    services.set_identity(child, name="Siti Hajar", nik="1471014101100001", address="Jl. Melati 3")
    child.save()
    case = Case.objects.create(unit=units["seksi"], number="2020/001", child=child, category="kekerasan",
                               referral_source="kepolisian", risk="tinggi",
                               reported_at=dt.datetime(2020, 3, 1, 3, tzinfo=dt.UTC), worker=users["peksos"])
    return child, case


def test_reveal_requires_role_reason_and_own_case_and_is_audited(users, child_case):
    from kinerja.register import services
    from kinerja.register.models import AuditEntry

    child, _ = child_case
    assert child.initials == "SH"
    for who in ("pimpinan", "evaluator", "admin", "peksos2", "other_kasi"):
        with pytest.raises(PermissionDenied):
            services.reveal_identity(users[who], child, "pemeriksaan berkas")
    with pytest.raises(services.ReasonRequired):
        services.reveal_identity(users["peksos"], child, "  ")
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 0
    shown = services.reveal_identity(users["peksos"], child, "kunjungan rumah")
    assert shown["name"] == "Siti Hajar" and shown["nik"] == "1471014101100001"
    entry = AuditEntry.objects.exclude(action__startswith="account_").get()
    assert (entry.username, entry.action, entry.reason) == ("peksos1", "reveal_identity", "kunjungan rumah")
    assert "Siti" not in entry.record and "1471" not in entry.detail
    services.reveal_identity(users["kasi"], child, "persetujuan rencana")
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 2


def test_rotate_key_reencrypts_everything(child_case):
    from kinerja.identity import Keyring
    from kinerja.register import keyring, services
    from kinerja.register.models import Child

    child, _ = child_case
    before = Keyring.key_id_of(Child.objects.get().name_enc)
    new_id, count = services.rotate_keys()
    keyring.reset()
    after = Child.objects.get()
    assert count == 1 and new_id != before
    assert Keyring.key_id_of(after.name_enc) == new_id
    assert services.read_identity(after)["name"] == "Siti Hajar"


def test_duplicate_niks_found_without_decrypting(units, monkeypatch):
    from kinerja.register import keyring, selectors
    from tests import factories

    a = factories.child(units["seksi"], name="Anak Satu", nik="1471010101100001")
    b = factories.child(units["other"], name="Anak Dua", nik="1471 0101 0110 0001")
    factories.child(units["seksi"], name="Anak Tiga", nik="1471010101100002")
    factories.child(units["seksi"], name="Tanpa NIK")

    def no_decrypt(*args, **kwargs):
        raise AssertionError("decrypted")

    monkeypatch.setattr(keyring, "decrypt_child_field", no_decrypt)
    assert list(selectors.same_nik(a)) == [b]
    groups = selectors.duplicate_nik_groups()
    assert [[c.pk for c in g] for g in groups] == [[a.pk, b.pk]]
    assert selectors.duplicate_nik_groups([units["seksi"].pk]) == []


def test_rotate_key_also_reencrypts_evidence_texts(units, users):
    from kinerja.evidence import services as evidence
    from kinerja.evidence.models import Source
    from kinerja.identity import Keyring
    from kinerja.register import keyring, services
    from tests.evidence_factories import make_evaluation

    evaluation = make_evaluation(units, users, code="kunci", unit="seksi")
    src = evidence.import_source(users["evaluator"], evaluation, b"Anggaran terbatas.\n\nKoordinasi lambat.", "w1.txt",
                                 source_type="wawancara")
    before = Keyring.key_id_of(Source.objects.get(pk=src.pk).text_enc)
    new_id, count = services.rotate_keys()
    keyring.reset()
    after = Source.objects.get(pk=src.pk)
    assert count >= 1 and Keyring.key_id_of(after.text_enc) == new_id != before
    assert evidence.source_text(after).startswith("Anggaran terbatas.")
