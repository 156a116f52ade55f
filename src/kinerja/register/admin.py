"""Django admin for the admin role: units, reference data and the accounts of admin, pimpinan and
evaluator (accounts.py says why not the others). No case content, no identity."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from kinerja.register import accounts, permissions
from kinerja.register.models import AuditEntry, BudgetLine, Facility, Staff, Staffing, Target, Unit

admin.site.site_header = "Kinerja"
admin.site.site_title = "Kinerja"


class ReferenceAdmin(admin.ModelAdmin):
    """Only the admin role manages reference data (section heads work cases, not tables)."""

    def has_module_permission(self, request):  # type: ignore[no-untyped-def]
        return getattr(request.user, "role", "") == "admin" and request.user.is_active

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: getattr(request.user, "role", "") == "admin" and request.user.is_active
    )


@admin.register(Unit)
class UnitAdmin(ReferenceAdmin):
    list_display = ("code", "name", "parent", "region_code")
    search_fields = ("code", "name")


class StaffChangeForm(UserChangeForm):
    """The account form: the separation of duties (accounts.check_change) is checked on the stored
    account with the proposed values, so a refusal is a message on the form, not an error page."""

    actor: accounts.Actor

    class Meta(UserChangeForm.Meta):
        model = Staff
        fields = "__all__"

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        _check(self, self.instance, cleaned)
        return cleaned


class StaffAddForm(forms.ModelForm):
    """A new account gets no password from the admin: a one-time code, shown once after saving,
    with which the user signs in and chooses their own password."""

    actor: accounts.Actor

    class Meta:
        model = Staff
        fields = ("username", "full_name", "email", "role", "unit")

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        _check(self, None, cleaned)
        return cleaned


def _check(form: forms.ModelForm, user: Staff | None, cleaned: dict) -> None:
    values = {}
    if "role" in cleaned:
        values["role"] = cleaned["role"]
    if "unit" in cleaned:
        values["unit_id"] = cleaned["unit"].pk if cleaned["unit"] else None
    if "is_active" in cleaned:
        values["is_active"] = cleaned["is_active"]
    if "username" in cleaned:
        values["username"] = cleaned["username"]
    try:
        accounts.check_proposal(form.actor, user, **values)
    except accounts.AccountDenied as exc:
        raise forms.ValidationError(str(exc), code="separation_of_duties") from exc
    role, unit = cleaned.get("role"), cleaned.get("unit")
    if role and role != permissions.ADMIN and unit is None and "unit" in form.fields:
        form.add_error("unit", _("This role needs a unit."))


def _actor(request) -> accounts.Actor:  # type: ignore[no-untyped-def]
    return accounts.user_actor(request.user, via="admin")


@admin.register(Staff)
class StaffAdmin(ReferenceAdmin, UserAdmin):
    """Accounts of admin, pimpinan and evaluator are kept here; the accounts that can reveal a
    child's identity (kepala_seksi, pekerja_sosial) are listed read-only: the server operator keeps
    them (`kinerja user ...`). No account is deleted here (deactivate it: the audit chain and the
    work it did keep its name)."""

    form = StaffChangeForm
    add_form = StaffAddForm
    add_form_template = "admin/change_form.html"
    list_display = ("username", "full_name", "role", "unit", "is_active", "must_change_password")
    list_filter = ("role", "is_active", "unit")
    search_fields = ("username", "full_name", "email")
    readonly_fields = ("must_change_password", "last_login")
    fieldsets = (
        (None, {"fields": ("username", "password", "must_change_password", "last_login")}),
        (_("Staff"), {"fields": ("full_name", "email", "role", "unit", "is_active")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "email", "role", "unit")}),)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_change_permission(request, obj) and (obj is None or accounts.admin_may_manage(obj))

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = _actor(request)
        role = form.base_fields.get("role")
        if role is not None and permissions.role_of(request.user) == permissions.ADMIN:
            # only the roles an admin may give are offered; a forged one gets the rule's message
            role.widget.choices = [(c, label) for c, label in role.choices
                                   if c in accounts.ADMIN_MANAGED_ROLES or c == ""]
        return form

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            request._kinerja_code = accounts.issue_code(obj)
        accounts.save_account(_actor(request), obj)

    def response_add(self, request, obj, post_url_continue=None):  # type: ignore[no-untyped-def]
        code, expires = request._kinerja_code
        return self._code_page(request, obj, code, expires)

    def _code_page(self, request, obj, code, expires):  # type: ignore[no-untyped-def]
        response = TemplateResponse(request, "registration/admin_account_code.html", {
            **self.admin_site.each_context(request), "account": obj, "code": code, "expires": expires,
            "opts": self.opts, "title": _("One-time code")})
        add_never_cache_headers(response)
        return response

    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        """A reset, never a password typed by the admin: the user gets a one-time code."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_view_permission(request, user):
            raise PermissionDenied
        ctx = {**self.admin_site.each_context(request), "account": user, "opts": self.opts,
               "title": _("Reset password")}
        try:
            accounts.check_proposal(_actor(request), user, reset_code_hash="pending")
        except accounts.AccountDenied as exc:
            return TemplateResponse(request, "registration/admin_account_reset.html", {**ctx, "refused": str(exc)},
                                    status=403)
        if request.method == "POST":
            code, expires = accounts.reset_password(_actor(request), user)
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)  # stay signed in to read one's own code
            return self._code_page(request, user, code, expires)
        return TemplateResponse(request, "registration/admin_account_reset.html", ctx)


for model, cols in (
    (BudgetLine, ("unit", "year", "activity", "allocation", "realisation")),
    (Staffing, ("unit", "year", "social_workers", "certified")),
    (Facility, ("unit", "year", "safe_house_beds", "bed_days", "vehicles")),
    (Target, ("unit", "year", "indicator", "value")),
):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReferenceAdmin,), {"list_display": cols,
                                                                                    "list_filter": ("year",)}))


@admin.register(AuditEntry)
class AuditAdmin(ReferenceAdmin):
    list_display = ("seq", "at", "username", "action", "record", "reason")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
