"""Django admin for the admin role: users, units and reference data. No case content, no identity."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

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


@admin.register(Staff)
class StaffAdmin(ReferenceAdmin, UserAdmin):
    list_display = ("username", "full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "unit")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Staff"), {"fields": ("full_name", "email", "role", "unit", "is_active")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role", "unit")}),)


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
