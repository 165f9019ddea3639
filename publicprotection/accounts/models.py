"""Who uses the system and where they sit: boroughs, teams, agencies and users."""

from __future__ import annotations

import uuid

import pgtrigger
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AbstractAuthToken

from publicprotection.audit.tracking import tracked


class Borough(models.Model):
    """One of the 32 London boroughs (reference data, filled by a data migration)."""

    code = models.CharField(max_length=3, unique=True, help_text="Three-letter code, e.g. LAM")
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A public protection group: one per borough, plus the central pan-London team."""

    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100, unique=True)
    borough = models.OneToOneField(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="team"
    )

    class Meta:
        ordering = ["borough__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central(self) -> bool:
        return self.borough_id is None


class AgencyType(models.Model):
    """Kind of partner agency (IDVA service, children's social care, ...): reference data."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class Agency(models.Model):
    """A partner agency. Its auth group carries the object shares made to the agency."""

    name = models.CharField(max_length=150, unique=True)
    agency_type = models.ForeignKey(AgencyType, on_delete=models.PROTECT, related_name="agencies")
    borough = models.ForeignKey(
        Borough,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="Leave empty for an agency that works across London.",
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "Supervisor"
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    PARTNER = "partner", "Partner agency member"
    ANALYST = "analyst", "Analyst"
    REVIEW_LEAD = "review_lead", "Review lead"
    ADMIN = "admin", "Administrator"


class PublicProtectionUserManager(UserManager):
    def get_queryset(self):
        # Every request reads the viewer's team and agency for scoping: fetch them at once.
        return super().get_queryset().select_related("team", "agency")

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # Superusers are administrators in the central team, so they satisfy the team rule.
        extra_fields.setdefault("role", Role.ADMIN)
        extra_fields.setdefault("team", Team.objects.filter(borough__isnull=True).first())
        return super().create_superuser(username, email, password, **extra_fields)


@tracked(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Police staff belong to a team; partners to an agency."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICER)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    objects = PublicProtectionUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_partner_has_agency_others_have_team",
                condition=(
                    Q(role=Role.PARTNER, agency__isnull=False, team__isnull=True)
                    | (~Q(role=Role.PARTNER) & Q(agency__isnull=True, team__isnull=False))
                ),
                violation_error_message=(
                    "Partner agency members belong to an agency; everyone else belongs to a team."
                ),
            ),
            # Sign-in is case-sensitive, but people read and search user names in any case (the
            # audit search matches them so): "Sam.Jones" and "sam.jones" would be two accounts
            # nobody can tell apart in the audit trail. The admin's add form checks this too;
            # the constraint holds for renames, commands and SQL.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_in_any_case",
                violation_error_message="A user with that user name already exists (in another "
                "case: user names must differ by more than capital letters).",
            ),
        ]
        triggers = [
            # A new password or a deactivated account ends every API token at once, however
            # the change is made (the password page, the admin, a management command, SQL).
            pgtrigger.Trigger(
                name="revoke_api_tokens",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=(
                    pgtrigger.Q(old__password__df=pgtrigger.F("new__password"))
                    | pgtrigger.Q(old__is_active=True, new__is_active=False)
                ),
                func='DELETE FROM "accounts_apitoken" WHERE "user_id" = NEW."id"; RETURN NULL;',
            ),
        ]

    @property
    def organisation_label(self) -> str:
        if self.role == Role.PARTNER and self.agency_id:
            return self.agency.name
        if self.team_id:
            return self.team.name
        return ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    # The roles as predicates, for templates (the access rules use `access.roles` sets).
    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_marac_coordinator(self) -> bool:
        return self.role == Role.MARAC_COORDINATOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN


class ApiToken(AbstractAuthToken):
    """A personal API token (django-rest-knox, KNOX_TOKEN_MODEL).

    Only a hash of the token is stored, so it is shown once, when it is made. It expires
    (API_TOKEN_TTL_DAYS) and is deleted when its owner's password changes or the account is
    deactivated (User's revoke_api_tokens trigger).
    """

    # Pages name a token by this id: knox's own key is the token's first characters.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


# Authenticators and recovery-code sets are django-otp's models. Their creation, confirmation
# and deletion (an administrator's reset) are in the change history, never their secrets:
# tracked through proxies so the triggers live in this app's migrations.
_DEVICE_FIELDS = ["user", "name", "confirmed"]


@tracked(fields=_DEVICE_FIELDS, model_name="TOTPDeviceEvent")
class TrackedTOTPDevice(TOTPDevice):
    class Meta:
        proxy = True


@tracked(fields=_DEVICE_FIELDS, model_name="StaticDeviceEvent")
class TrackedStaticDevice(StaticDevice):
    class Meta:
        proxy = True


@tracked(exclude=["code_hash"], model_name="TwoFactorSetupCodeEvent")
class TwoFactorSetupCode(models.Model):
    """A one-time code an administrator issues so that a user with no authenticator (a new
    account, or after a reset) can set up their first one: the password alone must not be
    enough, or whoever holds it enrols their own phone (ADR 0007).

    One row per user: issuing another replaces it (its hash, expiry and count). Only a hash of
    the code is stored (Django's password hashers), and the change history records who issued
    it, when it expires, every wrong try and its use, never the hash. It works until
    `expires_at`, once (`used_at`), and not after TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS wrong
    tries (`failed_attempts`).
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="two_factor_setup_code"
    )
    code_hash = models.CharField(max_length=256)
    # Empty when issued at the server's command line (manage.py two_factor_setup_code). The
    # change history keeps who issued each code even if that account is later deleted.
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "two-factor set-up code"
        constraints = [
            models.CheckConstraint(
                name="two_factor_setup_code_expires_after_issue",
                condition=Q(expires_at__gt=models.F("issued_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Two-factor set-up code for {self.user}"
