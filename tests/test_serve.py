"""`kinerja serve` runs a production server (gunicorn) that serves pages and static files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_gunicorn(tmp_path):
    port = _free_port()
    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kinerja.settings")
    env.pop("KINERJA_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "kinerja", "serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/masuk/", timeout=2) as r:
                    body = r.read().decode()
                    server = r.headers.get("Server", "")
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "server did not answer"
        assert 'name="password"' in body and "Masuk" in body
        assert "gunicorn" in server
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/kinerja/htmx.min.js", timeout=5) as r:
            assert r.status == 200 and b"htmx" in r.read(2000)
        # the figure keeper runs beside the workers, as a process of its own
        assert _keepers(proc.pid), "no figure keeper"
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "Masuk" not in out  # the access log records paths, never page content
    for _ in range(40):  # and it stops with the server
        if not _keepers(proc.pid):
            break
        time.sleep(0.25)
    assert not _keepers(proc.pid)


def _keepers(parent: int) -> list[int]:
    """The `kinerja figures keep` processes started for the server `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"figures" in argv and b"keep" in argv and str(parent).encode() in argv:
            found.append(int(entry))
    return found
