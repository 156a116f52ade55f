"""Records of evidence.md, with their rules in the database too (check constraints), so an import
or a script that skips the services still cannot store a child informant without consent or a
coding whose span is empty.

Everything belongs to one ``Evaluation`` (a unit, a period, its members): informants, sources,
the codebook (each evaluation has its own, seeded from the default), codings (through their
source) and memos. Who sees an evaluation is decided in one place, ``evidence.access``.

Source texts and memos are transcripts and notes: special personal data (domain.md). They are
stored only as AES-GCM ciphertext bound to (table, column, row uid); see ``crypto``.

``updated_at`` lets the selectors tell cheaply whether their cached analysis is still current."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SOURCE_TYPES = (
    ("wawancara", _("Interview")),
    ("observasi", _("Observation")),
    ("dokumentasi", _("Document")),
)
STANCES = (
    ("mendukung", _("Supports (performance is good)")),
    ("menghambat", _("Hinders (shows a problem)")),
    ("netral", _("Neutral")),
)
LINK_PREFIXES = ("dimensi", "measure", "kendala", "faktor", "indikator")
# Same grammar as evidence.analysis.refiqda accepts; valid for Python's re (SQLite) and PostgreSQL.
LINK_REGEX = r"^(dimensi|measure|kendala|faktor|indikator):\S+$"
COLOUR_REGEX = r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$"


class Evaluation(models.Model):
    """A qualitative evaluation of one unit over a period (start inclusive, end exclusive, as
    every period in domain.md). Its members (evaluators, and the unit's section head) and that
    unit's section head are the only people who see it; ``code`` names it on the command line."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey("register.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="evaluations", verbose_name=_("unit"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (exclusive)"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="evaluations",
                                     verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lt=models.F("period_end")),
                                   name="evidence_evaluation_period_order"),
            models.CheckConstraint(condition=~Q(title=""), name="evidence_evaluation_titled"),
        ]

    def __str__(self) -> str:
        return self.title


class Informant(models.Model):
    """A person interviewed or observed, known only by a pseudonym code. A child is shown as
    initials and age ("NA, 14 th") and may only be recorded with consent."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="informants")
    code = models.CharField(_("pseudonym code"), max_length=64)
    role = models.CharField(_("role"), max_length=200, blank=True)
    key_informant = models.BooleanField(_("key informant"), default=False)
    sampling_reason = models.TextField(_("sampling reason"), blank=True)
    is_child = models.BooleanField(_("child"), default=False)
    initials = models.CharField(_("initials"), max_length=4, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    consent_recorded = models.BooleanField(_("consent recorded"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("informant")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(is_child=False) | Q(consent_recorded=True),
                                   name="evidence_child_informant_needs_consent"),
            # initials and age describe children only; an adult is a pseudonym and a role
            models.CheckConstraint(condition=Q(is_child=True) | (Q(initials="") & Q(age__isnull=True)),
                                   name="evidence_initials_age_only_for_children"),
            models.CheckConstraint(condition=Q(age__isnull=True) | Q(age__lt=18),
                                   name="evidence_child_age_under_18"),
            models.UniqueConstraint(fields=["evaluation", "code"], name="evidence_informant_code_unique"),
            models.UniqueConstraint(fields=["evaluation", "uid"], name="evidence_informant_uid_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the informant appears everywhere: the code, and for a child initials and age."""
        if self.is_child and self.initials and self.age is not None:
            return f"{self.code} · {self.initials}, {self.age} th"
        return self.code


class Source(models.Model):
    """An interview, observation note or document. The text is fixed at import (codings point
    into it by code-point offset) and stored encrypted; ``length`` is its length in code points."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="sources")
    type = models.CharField(_("source type"), max_length=16, choices=SOURCE_TYPES)
    date = models.DateField(_("date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    informants = models.ManyToManyField(Informant, blank=True, related_name="sources",
                                        verbose_name=_("informants"))
    text_enc = models.BinaryField(editable=False)
    length = models.PositiveIntegerField(_("length (characters)"), editable=False)
    file_name = models.CharField(_("imported file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("source")
        ordering = ["type", "date", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=[t for t, _l in SOURCE_TYPES]), name="evidence_source_type_valid"),
            models.CheckConstraint(condition=Q(length__gt=0), name="evidence_source_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class Code(models.Model):
    """A codebook entry; ``link`` ties it to a framework dimension, a measure or an inhibiting
    factor ("dimensi:responsivitas", "measure:ikm", "kendala:anggaran") so evidence rolls up."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, blank=True)
    link = models.CharField(_("link"), max_length=120, blank=True)
    codable = models.BooleanField(_("codable"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("code")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="evidence_code_named"),
            models.CheckConstraint(condition=Q(colour="") | Q(colour__regex=COLOUR_REGEX),
                                   name="evidence_code_colour_hex"),
            models.CheckConstraint(condition=Q(link="") | Q(link__regex=LINK_REGEX), name="evidence_code_link_form"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="evidence_code_not_own_parent"),
            models.UniqueConstraint(fields=["evaluation", "uid"], name="evidence_code_uid_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LiveCodings(models.Manager):
    """Codings not removed: what every analysis, count and export reads."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(removed_at__isnull=True)


class Coding(models.Model):
    """``code`` applied by ``coder`` to text[start:end] of ``source`` (Unicode code points,
    0-based, end exclusive, as REFI-QDA counts). It belongs to its source's evaluation.

    A coding is never deleted by a person: removing it sets ``removed_at`` (``objects`` leaves it
    out, ``with_removed`` keeps it) and every change is a ``CodingChange``, so a trial coding can
    be undone and the record shows who coded what when."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_codings")
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    stance = models.CharField(_("stance"), max_length=12, choices=STANCES, default="netral")
    memo_enc = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = LiveCodings()
    with_removed = models.Manager()

    class Meta:
        verbose_name = _("coding")
        base_manager_name = "with_removed"
        ordering = ["source_id", "start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="evidence_coding_start_before_end"),
            models.CheckConstraint(condition=Q(start__gte=0), name="evidence_coding_start_not_negative"),
            models.CheckConstraint(condition=Q(stance__in=[s for s, _l in STANCES]), name="evidence_coding_stance_valid"),
        ]
        indexes = [models.Index(fields=["code", "source"], name="evidence_coding_code_source")]


CODING_CHANGES = (("tambah", _("added")), ("ubah", _("changed")), ("hapus", _("removed")))


class CodingChange(models.Model):
    """One step in a coding's history: what it was before (``before``) and after (``after``):
    code uid and name, stance, start, end, and whether the memo changed (never the memo's text,
    which is a note and encrypted)."""

    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=8, choices=CODING_CHANGES)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("coding change")
        ordering = ["coding_id", "pk"]


class Memo(models.Model):
    """Free text on a code, a source or a coding (none of them: a note on the whole project, as
    REFI-QDA allows). The text is encrypted; the title is a short plain label."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="memos")
    title = models.CharField(_("title"), max_length=200, blank=True)
    text_enc = models.BinaryField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    code = models.ForeignKey(Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    coding = models.ForeignKey(Coding, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("memo")
        constraints = [
            models.CheckConstraint(
                condition=(Q(code__isnull=True) & Q(source__isnull=True))
                | (Q(code__isnull=True) & Q(coding__isnull=True))
                | (Q(source__isnull=True) & Q(coding__isnull=True)),
                name="evidence_memo_one_target",
            ),
        ]

    @property
    def target_kind(self) -> str:
        if self.code_id:
            return "code"
        if self.source_id:
            return "source"
        if self.coding_id:
            return "coding"
        return "project"


class SourceGroup(models.Model):
    """A named group of sources, as another tool's document set (a MAXQDA document group) that
    does not name a source type; kept so the project keeps its shape and exports it back."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="source_groups")
    name = models.CharField(_("name"), max_length=200)
    sources = models.ManyToManyField(Source, blank=True, related_name="groups", verbose_name=_("sources"))

    class Meta:
        verbose_name = _("source group")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="evidence_source_group_named"),
                       models.UniqueConstraint(fields=["evaluation", "uid"], name="evidence_source_group_uid_unique")]

    def __str__(self) -> str:
        return self.name


class ImportedCoder(models.Model):
    """A coder who came in with a REFI-QDA project: a coder of the workspace, not a person who
    signs in. Codings need a user row, so each one gets its own inactive account without a usable
    password; it is never an account that existed before the import (a project naming a user
    ``kasi.1471`` must not credit its codings to the real ``kasi.1471``), unless the importer
    maps the name to that account explicitly."""

    name = models.CharField(_("name in the imported project"), max_length=150, unique=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="imported_coder")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported coder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
