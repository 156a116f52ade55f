"""Reports made in the background for the web page: a PDF takes seconds to make, so the page starts
a job, shows its progress step by step and downloads the file when it is done.

A job is a row (models.ReportJob) and, once made, a file in the data folder: encrypted with the
process's keyring (an internal report may quote transcripts, which are stored encrypted too) and
written owner-only. The file is deleted when its owner downloads it, or an hour after the job
started (old jobs are cleaned whenever a job starts). Progress comes from the builders' own
callback (service.STEPS), the one the command line's bar counts.

`spawn` runs a job's work: by default a daemon thread of the server process, which closes its
database connection when done. Tests may put a function in its place that runs the work at once
or keeps it for later."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja import numbers, safefile
from kinerja.config import private_dir
from kinerja.register.keyring import keyring
from kinerja.reports import service
from kinerja.reports.models import ReportJob

log = logging.getLogger("kinerja.reports")

KEEP = dt.timedelta(hours=1)  # a made file waits this long for its download
STALE = dt.timedelta(minutes=10)  # a job unfinished after this lost its thread (a server restart)
# the builders' step names (service.STEPS) as the page shows them
STEP_LABELS = {
    "cases": gettext_lazy("Reading the cases"),
    "tables": gettext_lazy("Counting the tables"),
    "received": gettext_lazy("Cases received"),
    "responded": gettext_lazy("Cases responded to"),
    "resolved": gettext_lazy("Cases resolved"),
    "scorecard": gettext_lazy("Computing the scorecard"),
    "trends": gettext_lazy("Trends over the years"),
    "evidence": gettext_lazy("Qualitative evidence"),
    "method": gettext_lazy("Method"),
    "recommendations": gettext_lazy("Recommendations"),
    "appendix": gettext_lazy("Appendix"),
    "render": gettext_lazy("Making the file"),
}


@dataclass(frozen=True)
class Order:
    """A report request the page has checked: service.make's arguments (`options`: audience,
    lang, and years or year, framework, kategori, texts)."""

    kind: str
    fmt: str
    unit: Any
    options: dict[str, Any]

    def params(self) -> dict[str, Any]:
        """What the job's row keeps of the request (no figures, no identity)."""
        out: dict[str, Any] = {"unit": self.unit.code, "lang": self.options["lang"],
                               "publik": self.options["audience"].suppressed}
        for key in ("years", "year", "framework", "kategori"):
            value = self.options.get(key)
            if value is not None:
                out[key] = list(value) if isinstance(value, list | tuple) else value
        return out


def _in_thread(work: Callable[[], None]) -> None:
    def body() -> None:
        try:
            work()
        finally:
            connections.close_all()  # this thread's connections, which nothing else would close

    threading.Thread(target=body, name="kinerja-laporan", daemon=True).start()


spawn: Callable[[Callable[[], None]], None] = _in_thread


def folder() -> Path:
    return private_dir(Path(settings.KINERJA.data_dir) / "laporan-web")


def file_path(job_id: UUID | str) -> Path:
    return folder() / f"{UUID(str(job_id))}.bin"


def store(job_id: UUID | str, data: bytes) -> None:
    """Write a made report for its job: encrypted, bound to the job's id, owner-only."""
    sealed = keyring().encrypt(base64.b64encode(data).decode("ascii"), "laporan", "berkas", str(job_id))
    safefile.write_private(file_path(job_id), sealed or b"")


def _unseal(job_id: UUID | str, blob: bytes) -> bytes:
    text = keyring().decrypt(blob, "laporan", "berkas", str(job_id)) if blob else ""
    return base64.b64decode(text or "")


def clean_old() -> None:
    """Forget the jobs started more than KEEP ago, and delete every file older than that (also one
    whose row is gone)."""
    cutoff = timezone.now() - KEEP
    for path in folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink()
        except FileNotFoundError:
            pass  # taken by a download or another cleaner meanwhile
    ReportJob.objects.filter(created_at__lt=cutoff).delete()


def start(owner: Any, order: Order) -> ReportJob:
    clean_old()
    job = ReportJob.objects.create(owner=owner, kind=order.kind, fmt=order.fmt, params=order.params(),
                                   total=len(service.STEPS[order.kind]))
    spawn(functools.partial(run, job.pk, order))
    return job


def record_step(job_id: UUID, steps: Sequence[str], key: str) -> None:
    """The builders' progress callback, for a job: its row moves on to step `key` of `steps`
    (never back)."""
    if key not in steps:
        return
    n = steps.index(key) + 1
    ReportJob.objects.filter(pk=job_id, step__lt=n).update(state=ReportJob.RUNNING, step=n, step_key=key)


def _failed_text(lang: str) -> str:
    with translation.override(lang):
        return str(_("The report could not be made. Try again, or ask the administrator if it happens again."))


def run(job_id: UUID, order: Order) -> None:
    """Make the report of a job, recording each step; the file is stored, or the job fails with
    the message the user reads."""
    from kinerja.indicators.frameworks import FrameworkError
    from kinerja.indicators.gate import GateError
    from kinerja.reports.evaluation import ReportError
    from kinerja.reports.recommendations import RuleError

    lang, steps = order.options["lang"], service.STEPS[order.kind]
    try:
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.RUNNING)
        with translation.override(lang):
            body, name = service.make(order.kind, order.unit, order.fmt,
                                      progress=lambda key: record_step(job_id, steps, key), **order.options)
        store(job_id, body)
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.DONE, step=len(steps),
                                                   step_key="render", file_name=name, finished_at=timezone.now())
    except (GateError, ReportError, FrameworkError, RuleError) as exc:  # bilingual messages for the reader
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.FAILED, error=str(exc),
                                                   finished_at=timezone.now())
    except Exception:
        log.exception("a report job failed (%s %s)", order.kind, order.fmt)
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.FAILED, error=_failed_text(lang),
                                                   finished_at=timezone.now())


def of_owner(job_id: UUID, owner: Any) -> ReportJob | None:
    """The job, if `owner` started it (anyone else is told it does not exist)."""
    return ReportJob.objects.filter(pk=job_id, owner=owner).first()


def status(job: ReportJob, lang: str) -> dict[str, Any]:
    """How far the job has come, in words of `lang` ("Step 3 of 7: ..."), and the value of the
    page's progress bar: the steps finished."""
    state, error = job.state, job.error
    if state in (ReportJob.QUEUED, ReportJob.RUNNING) and job.created_at < timezone.now() - STALE:
        state, error = ReportJob.FAILED, _failed_text(lang)
    with translation.override(lang):
        if state == ReportJob.QUEUED:
            text = _("Waiting to start…")
        elif state == ReportJob.RUNNING:
            label = STEP_LABELS.get(job.step_key, job.step_key)
            text = _("Step %(step)s of %(total)s: %(name)s") % {
                "step": numbers.format_number(job.step, lang, "count"),
                "total": numbers.format_number(job.total, lang, "count"), "name": label}
        elif state == ReportJob.DONE:
            text = _("The report is ready: the download starts.")
        elif state == ReportJob.TAKEN:
            text = _("The report has been downloaded.")
        else:
            text = error
    finished = state in (ReportJob.DONE, ReportJob.TAKEN)
    return {"state": state, "step": job.step, "total": job.total,
            "value": job.total if finished else max(job.step - 1, 0), "text": str(text),
            "error": error if state == ReportJob.FAILED else ""}


def take(job_id: UUID, owner: Any) -> tuple[bytes, str, str] | None:
    """The made file of the owner's job (bytes, file name, format), once: the file is deleted as it
    is read. None if there is none (not the owner's, not done, downloaded already, too old)."""
    fresh = timezone.now() - KEEP
    if not ReportJob.objects.filter(pk=job_id, owner=owner, state=ReportJob.DONE, created_at__gte=fresh).update(
            state=ReportJob.TAKEN):
        return None
    job = ReportJob.objects.get(pk=job_id)
    path = file_path(job_id)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    finally:
        path.unlink(missing_ok=True)
    return _unseal(job_id, blob), job.file_name, job.fmt
