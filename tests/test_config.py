"""The settings list (kinerja.config): environment values are read, bad ones refused with a clear message."""

from __future__ import annotations

import pytest

from kinerja import config


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KINERJA_DATABASE_URL", raising=False)
    return monkeypatch


def test_defaults_put_everything_in_the_data_folder(env, tmp_path):
    cfg = config.load()
    assert cfg.data_dir == tmp_path.resolve()
    assert cfg.is_sqlite and cfg.sqlite_path == tmp_path.resolve() / "kinerja.sqlite3"
    assert cfg.key_file == tmp_path.resolve() / "keys.json"
    assert (cfg.language, cfg.suppression_k, cfg.max_upload_mb) == ("id", 5, 50)


@pytest.mark.parametrize(("value", "cores", "expected"), [
    ("auto", 2, True), ("auto", 1, False), ("1", 1, True), ("ya", 1, True), ("0", 8, False), ("tidak", 8, False),
])
def test_import_parallel_auto_follows_the_cores(env, value, cores, expected):
    env.setenv("KINERJA_IMPORT_PARALLEL", value)
    env.setattr(config.os, "cpu_count", lambda: cores)
    assert config.load().import_parallel is expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("KINERJA_IMPORT_PARALLEL", "kadang", "KINERJA_IMPORT_PARALLEL must be auto, 1 or 0"),
    ("KINERJA_LANGUAGE", "fr", "KINERJA_LANGUAGE must be 'id' or 'en'"),
])
def test_bad_values_stop_with_a_message_naming_the_setting(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(SystemExit, match=message):
        config.load()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("KINERJA_SUPPRESSION_K", "abc", "KINERJA_SUPPRESSION_K must be a whole number of 1 or more, not 'abc'"),
    ("KINERJA_SUPPRESSION_K", "0", "KINERJA_SUPPRESSION_K must be a whole number of 1 or more, not '0'"),
    ("KINERJA_MAX_UPLOAD_MB", "-5", "KINERJA_MAX_UPLOAD_MB must be a whole number of 1 or more"),
    ("KINERJA_SLA_TINGGI_JAM", "x", "KINERJA_SLA_TINGGI_JAM must be a number greater than 0, not 'x'"),
    ("KINERJA_SLA_LAIN_JAM", "-1", "KINERJA_SLA_LAIN_JAM must be a number greater than 0"),
    ("KINERJA_BATAS_PENGADUAN_HARI", "nan", "KINERJA_BATAS_PENGADUAN_HARI must be a number greater than 0"),
    ("KINERJA_LOCKOUT_FAILURES", "lima", "KINERJA_LOCKOUT_FAILURES must be a whole number of 1 or more"),
    ("KINERJA_LOCKOUT_FAILURES", "0", "KINERJA_LOCKOUT_FAILURES must be a whole number of 1 or more"),
    ("KINERJA_LOCKOUT_MINUTES", "0", "KINERJA_LOCKOUT_MINUTES must be a number greater than 0"),
    ("KINERJA_SESSION_IDLE_MINUTES", "inf", "KINERJA_SESSION_IDLE_MINUTES must be a number greater than 0"),
    ("KINERJA_HTTPS", "maybe", "KINERJA_HTTPS must be 1 \\(on\\) or 0 \\(off\\), not 'maybe'"),
    ("KINERJA_BEHIND_PROXY", "2", "KINERJA_BEHIND_PROXY must be 1 \\(on\\) or 0 \\(off\\)"),
    ("KINERJA_DEBUG", "kadang", "KINERJA_DEBUG must be 1 \\(on\\) or 0 \\(off\\)"),
])
def test_bad_numbers_and_flags_stop_with_a_bilingual_message(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(config.ConfigError, match=message) as caught:
        config.load()
    assert caught.value.message.startswith(f"{name} harus ")  # Indonesian first, then English


def test_new_settings_have_their_defaults_and_read_values(env):
    cfg = config.load()
    assert (cfg.lockout_failures, cfg.lockout_minutes, cfg.session_idle_minutes) == (5, 30, 30)
    assert (cfg.https, cfg.behind_proxy) == (False, False)
    env.setenv("KINERJA_LOCKOUT_FAILURES", "10")
    env.setenv("KINERJA_LOCKOUT_MINUTES", "2.5")
    env.setenv("KINERJA_SESSION_IDLE_MINUTES", "60")
    env.setenv("KINERJA_HTTPS", "ya")
    env.setenv("KINERJA_SLA_TINGGI_JAM", "12")
    cfg = config.load()
    assert (cfg.lockout_failures, cfg.lockout_minutes, cfg.session_idle_minutes) == (10, 2.5, 60)
    assert cfg.https is True and cfg.sla_high_hours == 12


def test_the_cli_prints_a_bad_setting_and_exits_2(tmp_path):
    """Through the real entry point: the message, no traceback, exit status 2."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path), KINERJA_SLA_TINGGI_JAM="x")
    r = subprocess.run([sys.executable, "-m", "kinerja", "audit", "verify"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2
    assert "KINERJA_SLA_TINGGI_JAM harus angka lebih dari 0" in r.stderr
    assert "must be a number greater than 0, not 'x'" in r.stderr
    assert "Traceback" not in r.stderr


def test_data_folder_and_secret_key_are_owner_only(env, tmp_path):
    import stat

    data = tmp_path / "data"
    env.setenv("KINERJA_DATA_DIR", str(data))
    cfg = config.load()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    # an older install's loose modes are tightened on the next start
    data.chmod(0o755)
    (data / "secret_key").chmod(0o644)
    cfg.key_file.write_text("{}")
    cfg.key_file.chmod(0o644)
    config.load()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.key_file.stat().st_mode) == 0o600
