"""The admin site for accounts: users, audited two-factor resets and set-up codes.

django-otp's own device admins are removed: they show (or on "add", set) an authenticator's
secret and recovery codes, and would let an administrator enrol a device for someone else
and sign in as them. An administrator can reset a user's two-factor sign-in
(`two_factor_reset`) and issue a one-time set-up code (`two_factor_setup_code_issue`) with
which the user sets up their first authenticator; the code is shown once, in the action's
response, and the change history records both. API tokens are not in the admin at all:
nobody makes a token for someone else. Sign-in records (django-axes' logs) are read-only.

An administrator cannot change their own role, team, agency, active flag or privileges here
(another administrator does): those fields are read-only on their own page, so the form
ignores them if sent. Nobody deletes an account here (an account's name is on its records and
in the audit trail): clearing its active flag ends it.
"""

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from publicprotection.errors import StateError

from .models import User
from .services import two_factor_reset, two_factor_setup_code_issue

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# What an administrator may not change on their own account: where they sit, what they may
# do, and whether it works at all.
OWN_ACCOUNT_READONLY_FIELDS = (
    "role",
    "team",
    "agency",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)


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
    actions = ["issue_two_factor_setup_code", "reset_two_factor"]

    def user_change_password(self, request, id, form_url=""):
        """Not for their own account: this page asks for neither the current password nor a
        second factor (and can make the password unusable). Their own password is changed
        on the account's "Change password" page, which asks for the current one."""
        if str(id) == str(request.user.pk):
            raise PermissionDenied("Change your own password on your account's page.")
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None) -> bool:
        """Nobody deletes an account (nor "delete selected" several): its name is on its
        records and in the audit trail. Clearing "Active" ends its use, and is recorded."""
        return False

    def get_readonly_fields(self, request, obj=None):
        """Read-only fields are left out of the form Django builds, so a hand-made POST of them
        changes nothing either."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            return (*fields, *OWN_ACCOUNT_READONLY_FIELDS)
        return fields

    @admin.action(description="Issue a two-factor set-up code")
    def issue_two_factor_setup_code(self, request, queryset):
        return self._setup_codes_page(
            request,
            queryset,
            two_factor_setup_code_issue,
            title="Two-factor set-up codes",
        )

    @admin.action(description="Reset two-factor sign-in (the user sets up a new authenticator)")
    def reset_two_factor(self, request, queryset):
        return self._setup_codes_page(
            request,
            queryset,
            two_factor_reset,
            title="Two-factor sign-in reset",
            reset=True,
        )

    def _setup_codes_page(self, request, queryset, service, *, title: str, reset: bool = False):
        """Run the service for each chosen user and show the set-up codes it returned, in this
        response only: not in a message (kept in the session or a cookie until shown) and
        never again."""
        issued, refused = [], []
        for user in queryset.order_by("username"):
            try:
                issued.append((user, service(actor=request.user, user=user)))
            except (PermissionDenied, StateError) as error:
                refused.append((user, str(error)))
        if not issued:
            for user, reason in refused:
                self.message_user(request, f"{user.username}: {reason}", messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "reset": reset,
            "issued": issued,
            "refused": refused,
            "hours": settings.TWO_FACTOR_SETUP_CODE_HOURS,
            "max_attempts": settings.TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS,
        }
        return TemplateResponse(request, "admin/accounts/user/two_factor_setup_codes.html", context)


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
