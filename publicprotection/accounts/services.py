"""Writes for accounts: two-factor devices and users."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Agency, AgencyType, Borough


def totp_device_for_setup(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm the device if the token is right; older devices of the user are removed."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def agency_create(*, name: str, agency_type: AgencyType, borough: Borough | None = None) -> Agency:
    """An agency with its own auth group, through which cases are shared with it."""
    group, _ = Group.objects.get_or_create(name=f"agency:{name}")
    agency = Agency(name=name, agency_type=agency_type, borough=borough, group=group)
    agency.full_clean()
    agency.save()
    return agency
