"""Serve the app with gunicorn: a production WSGI server, static files by WhiteNoise."""

from __future__ import annotations

import sys


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

        def load(self):  # type: ignore[no-untyped-def]
            return application

    print(f"Kinerja: http://{host}:{port}/  (data: {settings.KINERJA.data_dir})", file=sys.stderr, flush=True)
    App().run()
    return 0
