"""The client's address: the one function the access log, the change history's context and the
sign-in lockout all use.

Behind a reverse proxy (a load balancer, an ingress) the direct peer is the proxy, and the
client's address is in X-Forwarded-For, which anyone can also send. So the header is read only
when the peer is one of TRUSTED_PROXIES, and only as far back as the hops are trusted: each
trusted proxy appends the address it was spoken to by, so walking the header from the right,
the first address that is not a trusted proxy is the client. Entries left of that are whatever
the client claimed and are ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(raw: str | None) -> Address | None:
    raw = (raw or "").strip()
    if raw.startswith("[") and "]" in raw:  # "[2001:db8::1]:443"
        raw = raw[1 : raw.index("]")]
    elif raw.count(":") == 1:  # "192.0.2.1:443"
        raw = raw.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def trusted_proxy_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXIES as networks: single addresses or CIDR ranges ("10.0.0.0/8")."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.TRUSTED_PROXIES]


def client_ip(request) -> str | None:
    """The address of the client that sent `request`: the direct peer, or when the peer is a
    trusted proxy, the nearest address in X-Forwarded-For that is not a trusted proxy."""
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = trusted_proxy_networks()

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    client = peer
    if trusted(peer):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([hop for hop in forwarded.split(",") if hop.strip()]):
            address = _address(hop)
            if address is None:
                # A malformed hop: nothing to its left can be vouched for.
                break
            client = address
            if not trusted(address):
                break
    return str(client)
