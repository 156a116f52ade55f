"""Records of domain.md. Constraints live in the database as well as in forms and the importer."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kinerja import vocab


def _choices(v: vocab.Vocabulary) -> list[tuple[str, str]]:
    return v.choices()


def _in(field: str, v: vocab.Vocabulary, blank: bool = False) -> Q:
    q = Q(**{f"{field}__in": list(v.codes)})
    return q | Q(**{field: ""}) if blank else q


class IdentityChangedHistory(models.Model):
    """Base of the history rows of records with encrypted fields: those values never enter the
    history tables (excluded_fields); this flag says that they changed in that write."""

    identity_changed = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Unit(models.Model):
    code = models.CharField(_("unit code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region_code = models.CharField(_("region code"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Staff(AbstractUser):
    """A user; the role decides what the model layer lets them read and do (see selectors)."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=_choices(vocab.PERAN))
    # a password reset leaves no usable password, only a one-time code (kinerja.register.accounts):
    # the one who resets never knows the password the user then chooses
    must_change_password = models.BooleanField(_("must change password"), default=False, editable=False)
    reset_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    reset_code_expires = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff member")
        constraints = [models.CheckConstraint(condition=_in("role", vocab.PERAN), name="staff_role_valid")]

    def __str__(self) -> str:
        return self.username


class Child(models.Model):
    """A child, known to the system by a pseudonym that is generated, never derived from identity."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="anak")
    child_key = models.CharField(_("child key"), max_length=64)  # kode_anak: the unit's own key
    pseudonym = models.CharField(_("pseudonym"), max_length=32)
    initials = models.CharField(_("initials"), max_length=4, default="-")
    sex = models.CharField(_("sex"), max_length=1, choices=_choices(vocab.JENIS_KELAMIN))
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    age_at_report = models.PositiveSmallIntegerField(_("age at report"), null=True, blank=True)
    disability = models.BooleanField(_("disability"), default=False)
    kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    # identity, encrypted (kinerja.identity); never shown without an audited reveal
    name_enc = models.BinaryField(null=True, editable=False)
    nik_enc = models.BinaryField(null=True, editable=False)
    kk_enc = models.BinaryField(null=True, editable=False)
    address_enc = models.BinaryField(null=True, editable=False)
    parents_enc = models.BinaryField(null=True, editable=False)
    phone_enc = models.BinaryField(null=True, editable=False)
    nik_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    IDENTITY_FIELDS = ("name", "nik", "kk", "address", "parents", "phone")

    class Meta:
        verbose_name = _("child")
        constraints = [
            models.UniqueConstraint(fields=["unit", "child_key"], name="child_key_unique_per_unit"),
            models.UniqueConstraint(fields=["unit", "pseudonym"], name="child_pseudonym_unique_per_unit"),
            models.CheckConstraint(condition=_in("sex", vocab.JENIS_KELAMIN), name="child_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Case(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="kasus", db_index=False)  # case_unit_*
    number = models.CharField(_("case number"), max_length=64)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="kasus", db_index=False)  # case_child_reported
    category = models.CharField(_("category"), max_length=32, choices=_choices(vocab.KATEGORI))
    referral_source = models.CharField(_("referral source"), max_length=32, choices=_choices(vocab.SUMBER_RUJUKAN))
    risk = models.CharField(_("risk level"), max_length=10, choices=_choices(vocab.TINGKAT_RISIKO))
    reported_at = models.DateTimeField(_("reported at"))
    worker = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="kasus",
                               db_index=False)  # served by case_worker_reported
    consent = models.BooleanField(_("consent recorded"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=32, blank=True,
                                      choices=_choices(vocab.ALASAN_PENUTUPAN))
    # The child as known at this report (domain.md: a child who comes back gets a new case); the
    # child's own fields hold identity and the values of its latest case. None or "": not stated.
    age_at_report = models.PositiveSmallIntegerField(_("age at report"), null=True, blank=True)
    kecamatan = models.CharField(_("kecamatan at report"), max_length=100, blank=True)
    disability = models.BooleanField(_("disability known at report"), null=True, blank=True)
    # Derived from the case's actions (services.refresh_stage_times, run on every save or delete of an
    # action and by the import), never entered: the first time of each stage the indicators time,
    # and the earliest approval of a case-plan action. A unit-year scorecard then reads them with the
    # case instead of joining some twenty thousand action entries.
    first_pendekatan_awal = models.DateTimeField(_("first initial approach"), null=True, editable=False)
    first_asesmen = models.DateTimeField(_("first assessment"), null=True, editable=False)
    first_rencana_intervensi = models.DateTimeField(_("first case plan"), null=True, editable=False)
    first_intervensi = models.DateTimeField(_("first intervention"), null=True, editable=False)
    first_terminasi = models.DateTimeField(_("first termination"), null=True, editable=False)
    plan_approved_at = models.DateTimeField(_("case plan first approved"), null=True, editable=False)
    # raised by every write service (kinerja.register.casework) with a conditional UPDATE: a second
    # save from an older form is refused, never a silent overwrite
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["first_pendekatan_awal", "first_asesmen", "first_rencana_intervensi",
                                                 "first_intervensi", "first_terminasi", "plan_approved_at"])

    # stage -> the derived field holding its first time
    FIRST_FIELDS = {stage: f"first_{stage}" for stage in
                    ("pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi", "terminasi")}

    class Meta:
        verbose_name = _("case")
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="case_number_unique_per_unit"),
            models.CheckConstraint(condition=_in("category", vocab.KATEGORI), name="case_category_valid"),
            models.CheckConstraint(condition=_in("referral_source", vocab.SUMBER_RUJUKAN), name="case_source_valid"),
            models.CheckConstraint(condition=_in("risk", vocab.TINGKAT_RISIKO), name="case_risk_valid"),
            models.CheckConstraint(condition=_in("closure_reason", vocab.ALASAN_PENUTUPAN, blank=True),
                                   name="case_closure_reason_valid"),
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(closure_reason=""))
                | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                name="case_closure_both_or_neither",
            ),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("reported_at")),
                                   name="case_closed_after_reported"),
        ]
        indexes = [
            # The indicator engine reads a unit's cases of a period through these two, and finds every
            # column it needs in them (no visit to a case's row: at a section of 22,000 cases a
            # scorecard's four case queries took 50 -> 32 ms on PostgreSQL, 36 -> 30 ms on SQLite,
            # whose planner reads the handled cases through the first). The id is in the row's
            # address on SQLite but must be named for PostgreSQL.
            models.Index(fields=["unit", "reported_at", "risk", "first_pendekatan_awal", "first_asesmen", "child",
                                 "closed_at", "closure_reason", "consent", "id"],
                         name="case_unit_reported"),
            models.Index(fields=["unit", "closed_at", "closure_reason", "reported_at", "consent", "child",
                                 "first_pendekatan_awal", "first_asesmen", "first_rencana_intervensi",
                                 "first_intervensi", "first_terminasi", "plan_approved_at", "id"],
                         name="case_unit_closed"),
            models.Index(fields=["worker", "reported_at"], name="case_worker_reported"),
            # the case list's keyset order over many units (a division or the whole country): walked
            # backwards, newest first, instead of sorting every case of the units
            models.Index(fields=["reported_at", "id"], name="case_reported_id"),
            # a child's cases newest first: the import's "latest case" subqueries descend it; without
            # it PostgreSQL walked case_reported_id backwards for every child (hours at a million)
            models.Index(fields=["child", "reported_at", "id"], name="case_child_reported"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def resolved(self) -> bool:
        return self.closure_reason in vocab.RESOLVED_REASONS


class _OfCase(models.Model):
    """A row of a case that carries a copy of the case's unit (see Action.unit), filled in on save."""

    unit_id: int | None
    case_id: int | None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.unit_id is None and self.case_id is not None:
            self.unit_id = self.case.unit_id  # type: ignore[attr-defined]
        super().save(*args, **kwargs)


class Action(_OfCase):
    """One step of a case's procedure. Saving or deleting one refreshes its case's derived stage
    times (kinerja.register.signals)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # FK indexes that a composite index below already serves are left out: each index is paid
    # for on every insert, and a large import writes millions of actions.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tindakan", db_index=False)
    # the case's unit, copied so that one unit's actions in a period are one index range; set from the
    # case when saved, and moved with it by services.move_cases (the import never moves a case)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False, editable=False)
    stage = models.CharField(_("stage"), max_length=32, choices=_choices(vocab.TAHAP))
    service = models.CharField(_("service"), max_length=40, blank=True, choices=_choices(vocab.LAYANAN))
    time = models.DateTimeField(_("time"))
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    cost = models.BigIntegerField(_("cost (Rp)"), null=True, blank=True)
    approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    obstacle = models.CharField(_("obstacle"), max_length=32, blank=True, choices=_choices(vocab.KENDALA))
    notes_enc = models.BinaryField(null=True, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["notes_enc"], bases=[IdentityChangedHistory])

    class Meta:
        verbose_name = _("action")
        ordering = ["time"]
        constraints = [
            models.CheckConstraint(condition=_in("stage", vocab.TAHAP), name="action_stage_valid"),
            models.CheckConstraint(condition=_in("service", vocab.LAYANAN, blank=True), name="action_service_valid"),
            models.CheckConstraint(condition=Q(service="") | Q(stage__in=vocab.STAGES_WITH_SERVICE),
                                   name="action_service_only_on_service_stages"),
            models.CheckConstraint(condition=_in("obstacle", vocab.KENDALA, blank=True), name="action_obstacle_valid"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="action_cost_not_negative"),
            models.CheckConstraint(condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                                   name="action_approval_has_approver"),
        ]
        indexes = [
            # one case's actions, everything the indicator engine reads from them in the index itself
            # (first time per stage, in-period obstacles and services, plan approval): a unit-year
            # scorecard then never visits the action rows
            models.Index(fields=["case", "stage", "time", "service", "obstacle", "approved_at"],
                         name="action_case_cover"),
            # covers the indicator engine's per-period scans of actions (obstacles, services, stages)
            models.Index(fields=["time", "stage", "service", "obstacle", "case"], name="action_time_cover"),
            # the same for one unit's period (a unit-year scorecard)
            models.Index(fields=["unit", "time", "stage", "service", "obstacle", "case"], name="action_unit_time_cover"),
            # the actions that record an obstacle (about one in six): a unit's obstacle counts and
            # obstructed cases of a period read these alone (a 22,000-case section's two years:
            # 7.3 -> 2.4 ms on PostgreSQL, 8.5 -> 4.8 ms on SQLite)
            models.Index(fields=["unit", "time", "obstacle", "case"], condition=Q(obstacle__gt=""),
                         name="action_unit_obstacle"),
        ]

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        obj = super().from_db(db, field_names, values)
        obj._loaded_case_id = obj.__dict__.get("case_id")  # which case to refresh too if it moves
        return obj


class Referral(_OfCase):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rujukan", db_index=False)  # referral_case_cover
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False,
                             editable=False)  # the case's unit, as on Action
    partner = models.CharField(_("partner agency"), max_length=32, choices=_choices(vocab.MITRA))
    sent_at = models.DateTimeField(_("sent at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, blank=True, choices=_choices(vocab.HASIL_RUJUKAN))
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        constraints = [
            models.CheckConstraint(condition=_in("partner", vocab.MITRA), name="referral_partner_valid"),
            models.CheckConstraint(condition=_in("result", vocab.HASIL_RUJUKAN, blank=True), name="referral_result_valid"),
        ]
        indexes = [
            models.Index(fields=["sent_at"], name="referral_sent"),
            # one unit's referrals in a period without visiting the rows (the indicator engine)
            models.Index(fields=["case", "sent_at", "acknowledged_at", "result"], name="referral_case_cover"),
            models.Index(fields=["unit", "sent_at", "acknowledged_at", "result"], name="referral_unit_cover"),
        ]


class Approval(models.Model):
    """A case plan or a closure put to the section head, and the decision: approved, or returned with
    a comment. The comment is free text, so it is encrypted like an action's notes."""

    PLAN, CLOSURE = "rencana", "penutupan"
    KINDS = [(PLAN, _("case plan")), (CLOSURE, _("closure"))]
    APPROVED, RETURNED = "disetujui", "dikembalikan"
    DECISIONS = [(APPROVED, _("approved")), (RETURNED, _("returned"))]

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persetujuan")
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="persetujuan")
    proposed_by = models.ForeignKey(Staff, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)  # a closure's proposed time
    closure_reason = models.CharField(_("closure reason"), max_length=32, blank=True,
                                      choices=_choices(vocab.ALASAN_PENUTUPAN))
    decision = models.CharField(_("decision"), max_length=12, blank=True, choices=DECISIONS)
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment_enc = models.BinaryField(null=True, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["comment_enc"], bases=[IdentityChangedHistory])

    class Meta:
        verbose_name = _("approval")
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["rencana", "penutupan"]), name="approval_kind_valid"),
            models.CheckConstraint(condition=Q(decision__in=["", "disetujui", "dikembalikan"]),
                                   name="approval_decision_valid"),
            models.CheckConstraint(condition=Q(decision="") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                                   name="approval_decision_has_decider"),
            models.CheckConstraint(condition=~Q(kind="penutupan") | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                                   name="approval_closure_has_time_and_reason"),
        ]
        indexes = [models.Index(fields=["case", "decision"], name="approval_case_decision")]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored: the token itself is shown once to its owner,
    and nobody else (the admin included) can read it back."""

    user = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)  # the first characters, so the owner can tell tokens apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at", "pk"]


_SKM = [f"u{i}" for i in range(1, 10)]


class SurveyResponse(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="survei")
    date = models.DateField(_("date"))
    respondent_type = models.CharField(_("respondent"), max_length=20, blank=True,
                                       choices=_choices(vocab.JENIS_RESPONDEN))
    u1 = models.PositiveSmallIntegerField(null=True, blank=True)
    u2 = models.PositiveSmallIntegerField(null=True, blank=True)
    u3 = models.PositiveSmallIntegerField(null=True, blank=True)
    u4 = models.PositiveSmallIntegerField(null=True, blank=True)
    u5 = models.PositiveSmallIntegerField(null=True, blank=True)
    u6 = models.PositiveSmallIntegerField(null=True, blank=True)
    u7 = models.PositiveSmallIntegerField(null=True, blank=True)
    u8 = models.PositiveSmallIntegerField(null=True, blank=True)
    u9 = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        constraints = [
            models.CheckConstraint(condition=_in("respondent_type", vocab.JENIS_RESPONDEN, blank=True),
                                   name="survey_respondent_valid"),
        ] + [
            models.CheckConstraint(condition=Q(**{f"{u}__isnull": True}) | Q(**{f"{u}__gte": 1, f"{u}__lte": 4}),
                                   name=f"survey_{u}_1_to_4")
            for u in _SKM
        ]
        indexes = [models.Index(fields=["unit", "date"], name="survey_unit_date")]


class Complaint(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pengaduan")
    received_at = models.DateTimeField(_("received at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("complaint")
        constraints = [
            models.CheckConstraint(condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("received_at")),
                                   name="complaint_resolved_after_received"),
        ]
        indexes = [models.Index(fields=["unit", "received_at"], name="complaint_unit_received")]


class BudgetLine(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="anggaran")
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    activity = models.CharField(_("activity"), max_length=200)
    allocation = models.BigIntegerField(_("allocation (pagu)"))
    realisation = models.BigIntegerField(_("realisation"))

    class Meta:
        verbose_name = _("budget line")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "activity"], name="budget_unique"),
            models.CheckConstraint(condition=Q(allocation__gte=0) & Q(realisation__gte=0), name="budget_not_negative"),
        ]


class Staffing(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sdm")
    year = models.PositiveSmallIntegerField(_("year"))
    social_workers = models.DecimalField(_("social workers (FTE)"), max_digits=9, decimal_places=2)
    certified = models.DecimalField(_("certified (FTE)"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("staffing")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="staffing_unique"),
            models.CheckConstraint(condition=Q(certified__gte=0) & Q(certified__lte=F("social_workers")),
                                   name="staffing_certified_within_total"),
        ]


class Facility(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sarana")
    year = models.PositiveSmallIntegerField(_("year"))
    safe_house_beds = models.PositiveIntegerField(_("safe-house beds"))
    bed_days = models.PositiveIntegerField(_("bed-days used"))
    vehicles = models.PositiveIntegerField(_("vehicles"), null=True, blank=True)

    class Meta:
        verbose_name = _("facilities")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="facility_unique")]


class Target(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="target")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=64)
    value = models.FloatField(_("target"))
    # a social worker's own target (indicators.md, "Targets of one worker"); empty: the unit's target
    worker = models.ForeignKey("Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="targets")

    class Meta:
        verbose_name = _("performance target")
        # one target per unit, year and indicator, and one per worker besides: NULL never compares
        # equal, so the unit's own row and the workers' rows each get a partial constraint
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "indicator"], condition=models.Q(worker__isnull=True),
                                    name="target_unique"),
            models.UniqueConstraint(fields=["unit", "year", "indicator", "worker"],
                                    condition=models.Q(worker__isnull=False), name="target_unique_worker"),
        ]


class AuditEntry(models.Model):
    """Append-only, hash-chained (kinerja.auditchain). Written only through services.audit()."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    record = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    detail = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # "hmac": keyed with the audit key; "sha256": unkeyed, only as the prefix of an older chain
    scheme = models.CharField(max_length=8, default="hmac")

    class Meta:
        verbose_name = _("audit entry")
        ordering = ["seq"]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("audit entries are append-only")


class DataVersion(models.Model):
    """How often the records behind one unit's own figures of one year have changed
    (register.dataversion).

    One row per unit (scope = the unit's id) and year that every write to its cases, actions,
    referrals, surveys, complaints, budget, staffing, facility or target rows advances for the years
    it can change; year 0 stands for every year, and scope 0 for the unit tree itself. A unit's
    figures of a period (with its descendants) are stale when the sum over its subtree and the
    period's years, or the tree's counter, moved: a write touches its own unit's rows, never its
    ancestors', so writes of different sections do not wait on each other."""

    scope = models.BigIntegerField()
    year = models.SmallIntegerField(default=0)
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="dataversion_scope_year")]


class FigureCache(models.Model):
    """Computed figures of one unit and period (indicators.cache), valid while `version` is the
    unit's data version. In the database so that every worker process shares it and a write's
    transaction and the figures read in it commit or roll back together."""

    key = models.CharField(max_length=64, primary_key=True)
    version = models.CharField(max_length=64)
    data = models.TextField()
