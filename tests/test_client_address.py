"""The client's address: X-Forwarded-For believed only from the trusted proxies, and the one
answer used by the access log, the change history and the sign-in lockout."""

import pytest
from axes.helpers import get_client_ip_address
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cases.tests.factories import complete_incident
from publicprotection.audit.middleware import AuditContextMiddleware
from publicprotection.audit.models import AccessLogEntry
from publicprotection.client_address import client_ip

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def request_from(rf, peer, forwarded=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **headers)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(rf, settings):
    settings.TRUSTED_PROXIES = []

    assert client_ip(request_from(rf, CLIENT, forwarded="198.51.100.1")) == CLIENT


@pytest.mark.usefixtures("behind_proxy")
@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # The proxy appends the address that spoke to it.
        (PROXY, CLIENT, CLIENT),
        # Whatever the client wrote in the header itself, left of that, is ignored.
        (PROXY, f"6.6.6.6, {CLIENT}", CLIENT),
        # Two trusted proxies in a row: the nearest untrusted hop.
        (PROXY, f"{CLIENT}, 10.0.0.9", CLIENT),
        # A client that is not the proxy cannot claim another address.
        (CLIENT, "6.6.6.6", CLIENT),
        # No header from the proxy: the proxy is all that is known.
        (PROXY, None, PROXY),
        # A malformed hop: nothing left of it can be vouched for.
        (PROXY, f"6.6.6.6, not-an-address, {CLIENT}", CLIENT),
        (PROXY, f"{CLIENT}, not-an-address", PROXY),
        # Ports and IPv6.
        (PROXY, f"{CLIENT}:51234", CLIENT),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.5", CLIENT, CLIENT),
    ],
)
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
    rf, peer, forwarded, client
):
    assert client_ip(request_from(rf, peer, forwarded)) == client


@pytest.mark.usefixtures("behind_proxy")
def test_the_lockout_and_the_change_history_use_the_same_address(rf):
    request = request_from(rf, PROXY, forwarded=f"6.6.6.6, {CLIENT}")
    request.user = AnonymousUser()

    assert get_client_ip_address(request) == CLIENT
    assert AuditContextMiddleware(lambda r: None).get_context(request)["ip"] == CLIENT


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_the_access_log_records_the_real_client_behind_the_proxy(client, lambeth_supervisor):
    incident, _, _ = complete_incident(actor=lambeth_supervisor)
    client.force_login(lambeth_supervisor)

    client.get(
        reverse("cases:incident-detail", args=[incident.reference]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {CLIENT}",
    )

    assert AccessLogEntry.objects.get().ip_address == CLIENT
