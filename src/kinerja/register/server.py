"""Serve the app with gunicorn: a production WSGI server, static files by WhiteNoise; beside the
web workers, the figure keeper (kinerja.indicators.keeper) as a process of its own, started when
the server is ready and stopped with it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def serve(host: str, port: int, workers: int = 2) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from gunicorn.app.base import BaseApplication

    from kinerja.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)

    class App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            # the access log shows paths only; identity never travels in a URL
            self.cfg.set("access_log_format", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s')
            self.cfg.set("timeout", 120)
            self.cfg.set("when_ready", start_keeper)
            self.cfg.set("on_exit", stop_keeper)

        def load(self):  # type: ignore[no-untyped-def]
            return application

    keeper: list[subprocess.Popen[bytes]] = []

    def start_keeper(server: Any) -> None:
        if settings.KINERJA_FIGURE_CACHE and settings.KINERJA_FIGURE_KEEPER:
            keeper.append(subprocess.Popen([sys.executable, "-m", "kinerja", "figures", "keep",
                                            "--parent", str(os.getpid())], stdin=subprocess.DEVNULL))

    def stop_keeper(server: Any) -> None:
        for proc in keeper:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    print(f"Kinerja: http://{host}:{port}/  (data: {settings.KINERJA.data_dir})", file=sys.stderr, flush=True)
    App().run()
    return 0
