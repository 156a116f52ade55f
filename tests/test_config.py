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
