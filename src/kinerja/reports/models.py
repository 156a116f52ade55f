"""A report made in the background for the web page (reports.jobs): who asked, what, how far the
work has come, and the file's name once it is made. The row carries no figures and no identity;
the file itself lies encrypted in the data folder until it is downloaded once or an hour passes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportJob(models.Model):
    QUEUED, RUNNING, DONE, FAILED, TAKEN = "antri", "berjalan", "selesai", "gagal", "diunduh"
    STATES = ((QUEUED, QUEUED), (RUNNING, RUNNING), (DONE, DONE), (FAILED, FAILED), (TAKEN, TAKEN))

    # the id is the address of the job's status and download: random, so it cannot be guessed
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    fmt = models.CharField(max_length=8)
    params = models.JSONField(default=dict)  # unit code, years, framework, categories, edition
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    step = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    step_key = models.CharField(max_length=32, blank=True)  # the builders' step name (service.STEPS)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
