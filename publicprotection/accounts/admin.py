"""The admin site for accounts: users, and an audited two-factor reset.

django-otp's own device admins are removed: they show (or on "add", set) an authenticator's
secret and recovery codes, and would let an administrator enrol a device for someone else
and sign in as them. An administrator can only reset a user's two-factor sign-in
(`two_factor_reset`), which the change history records. API tokens are not in the admin at
all: nobody makes a token for someone else. Sign-in records (django-axes' logs) are read-only.
"""

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .services import two_factor_reset

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class PublicProtectionUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "agency", "is_active")
    list_filter = ("role", "is_active", "team")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "team", "agency", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (the user sets up a new authenticator)")
    def reset_two_factor(self, request, queryset):
        try:
            for user in queryset:
                two_factor_reset(actor=request.user, user=user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            f"Two-factor sign-in reset for {queryset.count()} user(s). "
            "They set up a new authenticator when they next sign in; their API tokens are "
            "revoked.",
            messages.SUCCESS,
        )


# django-axes' sign-in records: who signed in and out, and who failed, from where. They are
# evidence (an account used from somewhere unexpected), so the admin site shows them and
# nobody there can change or delete them. Lockouts (AccessAttempt) stay deletable: deleting
# one is how an administrator lets a locked-out user try again.
class ReadOnlySignInRecordAdmin:
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _model, _axes_admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(_axes_admin.__name__, (ReadOnlySignInRecordAdmin, _axes_admin), {})
        )
