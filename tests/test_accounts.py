"""Separation of duties for accounts (domain.md, 'Roles'): an admin keeps only the accounts of admin,
pimpinan and evaluator; the operator's `kinerja user` commands do the rest; a reset gives a one-time
code, never a password; every account change is in the audit chain."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re

import pytest

from kinerja.cli import main
from tests import factories

PASSWORD = "rahasia-sekali"  # the conftest users' password
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def signed_in(client, user):
    english(client)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def english(client):
    """Messages checked in English: the msgid, whatever the state of the compiled catalogue."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def change_url(user):
    return f"/admin/register/staff/{user.pk}/change/"


def change_data(user, **over):
    data = {"username": user.username, "full_name": user.full_name, "email": user.email, "role": user.role,
            "unit": user.unit_id or "", "is_active": "on"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def entries(action=None, record=None):
    from kinerja.register.models import AuditEntry

    qs = AuditEntry.objects.order_by("seq")
    if action:
        qs = qs.filter(action=action)
    if record:
        qs = qs.filter(record=record)
    return list(qs)


@pytest.fixture
def admin_client(client, users):
    c = signed_in(client, users["admin"])
    r = c.get("/admin/register/staff/")
    assert r.status_code == 200 and "peneliti" in r.content.decode()
    return c


# -- the Django admin ------------------------------------------------------------------------------
def test_admin_may_change_an_evaluator_and_it_is_audited(admin_client, users, units):
    ev = users["evaluator"]
    assert admin_client.get(change_url(ev)).status_code == 200
    r = admin_client.post(change_url(ev), change_data(ev, role="pimpinan", unit=units["bidang"].pk))
    assert r.status_code == 302, r.content.decode()[:2000]
    ev.refresh_from_db()
    assert ev.role == "pimpinan" and ev.unit == units["bidang"]
    (role,) = entries("account_role", "akun:peneliti")
    assert role.username == "admin1" and json.loads(role.detail) == {"from": "evaluator", "to": "pimpinan",
                                                                      "via": "admin"}
    (unit,) = entries("account_unit", "akun:peneliti")
    assert json.loads(unit.detail)["from"] == "14.71-DINSOS" and json.loads(unit.detail)["to"] == "14.71-RESOS"


def test_admin_form_offers_only_the_roles_an_admin_may_give(admin_client, users):
    html = admin_client.get(change_url(users["evaluator"])).content.decode()
    select = re.search(r'<select name="role".*?</select>', html, re.S).group(0)
    assert 'value="evaluator"' in select and 'value="pimpinan"' in select and 'value="admin"' in select
    assert 'value="kepala_seksi"' not in select and 'value="pekerja_sosial"' not in select


@pytest.mark.parametrize("target", ["admin", "evaluator"])
@pytest.mark.parametrize("role", ["kepala_seksi", "pekerja_sosial"])
def test_admin_cannot_give_an_identity_role_to_anyone(admin_client, users, units, target, role):
    user = users[target]
    assert admin_client.get(change_url(user)).status_code == 200
    r = admin_client.post(change_url(user), change_data(user, role=role, unit=units["seksi"].pk))
    html = r.content.decode()
    assert r.status_code == 200 and "errornote" in html
    assert "server operator" in html and "kinerja user set-role" in html  # the rule's message
    user.refresh_from_db()
    assert user.role == target and user.unit == units["dinas"]
    assert not entries("account_role") and not entries("account_unit")


def test_admin_sees_identity_accounts_read_only_and_cannot_change_them(admin_client, users, units):
    kasi = users["kasi"]
    r = admin_client.get(change_url(kasi))
    html = r.content.decode()
    assert r.status_code == 200 and "kasi" in html and '<select name="role"' not in html
    r = admin_client.post(change_url(kasi), change_data(kasi, role="evaluator", unit=units["dinas"].pk))
    assert r.status_code == 403
    r = admin_client.post(change_url(kasi), change_data(kasi, is_active=None))
    assert r.status_code == 403
    kasi.refresh_from_db()
    assert kasi.role == "kepala_seksi" and kasi.is_active and kasi.unit == units["seksi"]
    assert admin_client.post(f"/admin/register/staff/{kasi.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(kasi).objects.filter(pk=kasi.pk).exists()


@pytest.mark.parametrize("target", ["kasi", "peksos"])
def test_admin_cannot_set_or_reset_the_password_of_an_identity_account(admin_client, users, target):
    user = users[target]
    url = f"/admin/register/staff/{user.pk}/password/"
    r = admin_client.get(url)
    assert r.status_code == 403 and "server operator" in r.content.decode()
    r = admin_client.post(url, {"password1": "dipilih-admin-123", "password2": "dipilih-admin-123",
                                "usable_password": "true"})
    assert r.status_code == 403 and not CODE.search(r.content.decode())
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not user.check_password("dipilih-admin-123")
    assert not user.reset_code_hash and not user.must_change_password
    assert not entries("account_password_reset") and not entries("account_password_change")


def test_admin_cannot_create_a_section_head(admin_client, units):
    from kinerja.register.models import Staff

    assert admin_client.get("/admin/register/staff/add/").status_code == 200
    r = admin_client.post("/admin/register/staff/add/", {"username": "kasi_baru", "full_name": "Kasi Baru",
                                                         "role": "kepala_seksi", "unit": units["seksi"].pk})
    assert r.status_code == 200 and "errornote" in r.content.decode()
    assert not Staff.objects.filter(username="kasi_baru").exists() and not entries("account_create", "akun:kasi_baru")


def test_admin_creates_an_evaluator_who_signs_in_with_a_one_time_code(admin_client, client, units):
    from django.test import Client

    from kinerja.register.models import Staff

    assert admin_client.get("/admin/register/staff/add/").status_code == 200
    r = admin_client.post("/admin/register/staff/add/", {"username": "peneliti_baru", "full_name": "Peneliti Baru",
                                                         "role": "evaluator", "unit": units["dinas"].pk})
    html = r.content.decode()
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    code = CODE.search(html).group(0)
    user = Staff.objects.get(username="peneliti_baru")
    assert user.role == "evaluator" and not user.has_usable_password() and user.must_change_password
    assert code not in user.reset_code_hash
    (created,) = entries("account_create", "akun:peneliti_baru")
    assert created.username == "admin1"
    assert json.loads(created.detail) == {"role": "evaluator", "unit": "14.71-DINSOS", "active": True,
                                          "sign_in": "one_time_code", "via": "admin"}

    new = english(Client())
    assert new.get("/masuk/kode/").status_code == 200
    r = new.post("/masuk/kode/", {"username": "peneliti_baru", "code": code.lower().replace("-", " ")})
    assert r.status_code == 302 and r["Location"] == "/kata-sandi/"
    r = new.post("/kata-sandi/", {"new_password1": "pilihan-sendiri-77", "new_password2": "pilihan-sendiri-77"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("pilihan-sendiri-77") and not user.must_change_password
    assert new.get("/kinerja/").status_code == 200


def test_the_attack_fails_admin_cannot_make_itself_section_head_and_reveal(admin_client, users, units):
    admin = users["admin"]
    child = factories.child(units["seksi"], name="Rahmat Hidayat", nik="1471010101100001")
    case = factories.case(units["seksi"], worker=users["peksos"], child_obj=child)
    r = admin_client.post(change_url(admin), change_data(admin, role="kepala_seksi", unit=units["seksi"].pk))
    assert r.status_code == 200 and "errornote" in r.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"
    r = admin_client.post(f"/kasus/{case.pk}/identitas/", {"alasan": "pemeriksaan berkas"})
    body = r.content.decode()
    assert r.status_code in (403, 404) and "Rahmat" not in body and "1471010101100001" not in body
    assert not entries("reveal_identity")


def test_the_model_guard_stops_an_admin_whatever_the_path(users, units):
    from kinerja.register import accounts

    admin = users["admin"]
    with accounts.acting_as(accounts.user_actor(admin)):
        admin.role, admin.unit = "kepala_seksi", units["seksi"]
        with pytest.raises(accounts.AccountDenied):
            admin.save()
        kasi = users["kasi"]
        kasi.set_password("dipilih-admin-123")
        with pytest.raises(accounts.AccountDenied):
            kasi.save()
        with pytest.raises(accounts.AccountDenied):
            accounts.reset_password(accounts.user_actor(admin), "peksos1")
    admin.refresh_from_db()
    kasi.refresh_from_db()
    assert admin.role == "admin" and kasi.check_password(PASSWORD)


def test_other_roles_change_no_account_but_their_own_password(users):
    from kinerja.register import accounts

    kasi = users["kasi"]
    with accounts.acting_as(accounts.user_actor(kasi)):
        with pytest.raises(accounts.AccountDenied):
            accounts.set_role(accounts.user_actor(kasi), "peneliti", "pimpinan")
        with pytest.raises(accounts.AccountDenied):
            accounts.set_active(accounts.user_actor(kasi), "peksos1", False)
        kasi.set_password("milik-sendiri-123")
        kasi.save()
    kasi.refresh_from_db()
    assert kasi.check_password("milik-sendiri-123")
    (change,) = entries("account_password_change", "akun:kasi")
    assert change.username == "kasi" and json.loads(change.detail) == {"how": "own", "via": "web"}


def test_admin_resets_an_evaluator_password_with_a_code_it_never_learns_the_password(admin_client, users):
    ev = users["evaluator"]
    url = f"/admin/register/staff/{ev.pk}/password/"
    r = admin_client.get(url)
    assert r.status_code == 200 and 'type="submit"' in r.content.decode()
    r = admin_client.post(url, {"password1": "dipilih-admin-123", "password2": "dipilih-admin-123"})
    assert r.status_code == 200
    code = CODE.search(r.content.decode()).group(0)
    ev.refresh_from_db()
    assert not ev.has_usable_password() and not ev.check_password(PASSWORD)
    assert not ev.check_password("dipilih-admin-123") and ev.must_change_password
    (reset,) = entries("account_password_reset", "akun:peneliti")
    assert reset.username == "admin1" and code not in reset.detail


def test_admin_deactivates_and_activates_an_evaluator(admin_client, users):
    ev = users["evaluator"]
    assert admin_client.post(change_url(ev), change_data(ev, is_active=None)).status_code == 302
    ev.refresh_from_db()
    assert not ev.is_active
    assert admin_client.post(change_url(ev), change_data(ev)).status_code == 302
    assert [e.action for e in entries(record="akun:peneliti")][-2:] == ["account_deactivate", "account_activate"]


# -- one-time codes and the forced change ------------------------------------------------------------
def _reset(username):
    from kinerja.register import accounts

    return accounts.reset_password(accounts.operator(), username)[0]


def test_a_reset_code_works_once_and_forces_a_new_password(client, users, units):
    english(client)
    code = _reset("peksos1")
    assert not client.login(username="peksos1", password=PASSWORD)  # the old password is gone
    r = client.post("/masuk/kode/", {"username": "peksos1", "code": "AAAA-BBBB-CCCC"})
    assert r.status_code == 200 and "code is wrong" in r.content.decode()
    r = client.post("/masuk/kode/", {"username": "peksos1", "code": code})
    assert r.status_code == 302 and r["Location"] == "/kata-sandi/"
    # held on the change page: pages redirect, the API refuses with a message
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/kata-sandi/")
    assert client.get("/admin/").status_code == 302
    r = client.get("/api/kasus/")
    assert r.status_code == 403 and "kata sandi" in r.json()["detail"].lower()
    page = client.get("/kata-sandi/")
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()
    assert 'name="old_password"' not in page.content.decode()
    r = client.post("/kata-sandi/", {"new_password1": "pendek", "new_password2": "pendek"})
    assert r.status_code == 200 and client.get("/").status_code == 302  # too short: still held
    r = client.post("/kata-sandi/", {"new_password1": "pilihan-sendiri-88", "new_password2": "pilihan-sendiri-88"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200 and client.get("/api/kasus/").status_code == 200
    client.logout()
    r = client.post("/masuk/kode/", {"username": "peksos1", "code": code})  # used up
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert client.login(username="peksos1", password="pilihan-sendiri-88")
    actions = [e.action for e in entries(record="akun:peksos1")]
    assert actions[-3:] == ["account_password_reset", "account_reset_code_used", "account_password_change"]
    assert entries("account_password_change", "akun:peksos1")[-1].username == "peksos1"


def test_a_reset_code_expires(client, users, settings):
    from django.utils import timezone

    from kinerja.register.models import Staff

    settings.KINERJA = dataclasses.replace(settings.KINERJA, reset_code_hours=2)
    before = timezone.now()
    code = _reset("kasi")
    english(client)
    kasi = Staff.objects.get(username="kasi")
    assert before + dt.timedelta(hours=2) <= kasi.reset_code_expires <= timezone.now() + dt.timedelta(hours=2)
    Staff.objects.filter(pk=kasi.pk).update(reset_code_expires=timezone.now() - dt.timedelta(seconds=1))
    r = client.post("/masuk/kode/", {"username": "kasi", "code": code})
    assert r.status_code == 200 and "code has expired" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_failed_code_is_a_failed_sign_in(client, users):
    from django.contrib.auth.signals import user_login_failed

    failed = []

    def record(sender, credentials, request, **kw):
        failed.append(credentials)

    user_login_failed.connect(record)
    try:
        client.post("/masuk/kode/", {"username": "kasi", "code": "AAAA-BBBB-CCCC"})
    finally:
        user_login_failed.disconnect(record)
    assert failed == [{"username": "kasi"}]


def test_reset_code_hours_setting_is_checked(monkeypatch):
    from kinerja import config

    monkeypatch.setenv("KINERJA_RESET_CODE_HOURS", "abc")
    with pytest.raises(SystemExit, match="KINERJA_RESET_CODE_HOURS"):
        config.load()
    monkeypatch.setenv("KINERJA_RESET_CODE_HOURS", "0")
    with pytest.raises(SystemExit, match="KINERJA_RESET_CODE_HOURS"):
        config.load()
    monkeypatch.setenv("KINERJA_RESET_CODE_HOURS", "48")
    assert config.load().reset_code_hours == 48


# -- the operator's commands ---------------------------------------------------------------------
def test_operator_commands_change_accounts_and_are_audited(users, units, capsys):
    from kinerja.register.models import Staff

    assert main(["user", "set-role", "peneliti", "kepala_seksi"]) == 0
    assert main(["user", "move", "peneliti", "--unit", "14.71-RESOS-ANAK"]) == 0
    assert main(["user", "deactivate", "peksos2"]) == 0
    assert not Staff.objects.get(username="peksos2").is_active
    assert main(["user", "activate", "peksos2"]) == 0
    assert main(["user", "reset-password", "kasi"]) == 0
    out = capsys.readouterr().out
    code = CODE.search(out).group(0)
    ev = Staff.objects.get(username="peneliti")
    assert ev.role == "kepala_seksi" and ev.unit.code == "14.71-RESOS-ANAK"
    kasi = Staff.objects.get(username="kasi")
    assert not kasi.has_usable_password() and kasi.must_change_password
    changes = [e for e in entries() if e.action != "account_create"]
    assert [(e.action, e.record) for e in changes] == [
        ("account_role", "akun:peneliti"), ("account_unit", "akun:peneliti"),
        ("account_deactivate", "akun:peksos2"), ("account_activate", "akun:peksos2"),
        ("account_password_reset", "akun:kasi")]
    assert {e.username for e in changes} == {"operator"}
    assert all(json.loads(e.detail)["via"] == "cli" and "os_user" in json.loads(e.detail) for e in changes)
    assert code not in "".join(e.detail + e.reason for e in changes)


def test_operator_list_shows_no_password(users, capsys):
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "username" in out and "kasi_lain" in out and "14.72-RESOS-ANAK" in out and "kepala_seksi" in out
    assert "md5$" not in out and "argon2" not in out and PASSWORD not in out
    assert main(["user", "list", "--role", "evaluator"]) == 0
    out = capsys.readouterr().out
    assert "peneliti" in out and "kasi" not in out


@pytest.mark.parametrize("argv,message", [
    (["user", "set-role", "peneliti", "raja"], "pilihan / choices: pekerja_sosial, kepala_seksi, pimpinan, evaluator, admin"),
    (["user", "move", "peneliti", "--unit", "TIDAK-ADA"], "pilihan / choices: 14.71-DINSOS"),
    (["user", "reset-password", "siapa"], "Pengguna tidak ditemukan / user not found: siapa"),
    (["user", "deactivate", "siapa"], "user not found"),
    (["user", "list", "--role", "raja"], "unknown role"),
    (["user", "add", "budi", "--role", "raja", "--unit", "14.71-DINSOS", "--password-stdin"], "Peran tidak dikenal"),
])
def test_operator_commands_name_the_valid_choices(users, capsys, monkeypatch, argv, message):
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-panjang-1\n"))
    before = len(entries())
    assert main(argv) == 1
    assert message in capsys.readouterr().err
    assert len(entries()) == before


def test_operator_add_is_audited_as_operator(units, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-panjang-1\n"))
    assert main(["user", "add", "siti", "--role", "pekerja_sosial", "--unit", "14.71-RESOS-ANAK",
                 "--password-stdin"]) == 0
    (created,) = entries("account_create", "akun:siti")
    assert created.username == "operator"
    assert json.loads(created.detail)["role"] == "pekerja_sosial" and json.loads(created.detail)["sign_in"] == "password"


# -- the chain has every change and no password material -------------------------------------------
def test_audit_chain_has_every_account_change_and_no_password_material(admin_client, client, users, units):
    from kinerja.register import services
    from kinerja.register.models import Staff

    ev = users["evaluator"]
    admin_client.post(change_url(ev), change_data(ev, role="pimpinan"))
    r = admin_client.post(f"/admin/register/staff/{ev.pk}/password/")
    admin_code = CODE.search(r.content.decode()).group(0)
    cli_code = _reset("peksos1")
    client.post("/masuk/kode/", {"username": "peksos1", "code": cli_code})
    client.post("/kata-sandi/", {"new_password1": "pilihan-sendiri-99", "new_password2": "pilihan-sendiri-99"})
    hashes = list(Staff.objects.values_list("password", flat=True)) + list(
        Staff.objects.exclude(reset_code_hash="").values_list("reset_code_hash", flat=True))
    rows = services.audit_rows()
    text = json.dumps(rows)
    for secret in [PASSWORD, "pilihan-sendiri-99", admin_code, cli_code,
                   admin_code.replace("-", ""), cli_code.replace("-", "")]:
        assert secret not in text
    for h in hashes:
        assert h.split("$")[-1] not in text
    actions = {(r["action"], r["record"]) for r in rows}
    assert {("account_create", "akun:kasi"), ("account_role", "akun:peneliti"),
            ("account_password_reset", "akun:peneliti"), ("account_password_reset", "akun:peksos1"),
            ("account_reset_code_used", "akun:peksos1"), ("account_password_change", "akun:peksos1")} <= actions
    assert services.verify_audit() is None


@pytest.mark.django_db
def test_accounts_written_by_the_import_are_audited_as_the_operator(tmp_path):
    """pegawai.csv creates and changes accounts in bulk (no model signals): each is still an entry."""
    from kinerja.cli import main
    from kinerja.register.models import AuditEntry

    (tmp_path / "unit.csv").write_text("kode_unit,nama\nU1,Seksi Satu\nU2,Seksi Dua\n", encoding="utf-8")
    (tmp_path / "pegawai.csv").write_text("username,nama,kode_unit,peran\nps_a,Peksos A,U1,pekerja_sosial\n",
                                          encoding="utf-8")
    assert main(["import", str(tmp_path)]) == 0
    created = AuditEntry.objects.get(action="account_create", record="akun:ps_a")
    assert created.username == "operator" and "pekerja_sosial" in created.detail
    (tmp_path / "unit.csv").unlink()
    (tmp_path / "pegawai.csv").write_text("username,nama,kode_unit,peran\nps_a,Peksos A,U2,kepala_seksi\n",
                                          encoding="utf-8")
    assert main(["import", str(tmp_path), "--update"]) == 0
    actions = set(AuditEntry.objects.filter(record="akun:ps_a").values_list("action", flat=True))
    assert {"account_create", "account_role", "account_unit"} <= actions
