"""Which URLs a service may call out to (webhooks, feeds), so it cannot be turned against its own network.

HTTPS only, and only to public addresses, checked after DNS resolution (at subscription time and
again before every attempt, and the attempt then connects to the address that was checked, so a
name cannot be re-pointed in between). Plain HTTP and private, loopback, link-local or otherwise
non-global addresses are allowed only for hosts, addresses or networks the allowlist setting names.
"""
from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
MAX_URL_LENGTH = 2048
_HOST_NAME = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


class WebhookRefused(Exception):
    def __init__(self, error: str, detail: str, *, transient: bool = False):
        super().__init__(detail)
        self.error, self.detail, self.transient = error, detail, transient


@dataclass(frozen=True)
class Allowlist:
    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: Sequence[str]) -> Allowlist:
        hosts, networks = set(), []
        for entry in entries:
            entry = entry.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def covers(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)

    def names(self, host: str) -> bool:
        literal = _ip_literal(host)
        return self.covers(literal) if literal else host.lower().rstrip(".") in self.hosts


@dataclass(frozen=True)
class WebhookUrl:
    url: str
    scheme: str
    host: str
    port: int


@dataclass(frozen=True)
class Target:
    """Where to connect: the URL as given, and the checked address to reach its host at."""

    webhook: WebhookUrl
    address: str


def parse(url: str) -> WebhookUrl:
    """The URL's parts, or WebhookRefused('invalid_webhook_url') saying what is malformed."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise WebhookRefused("invalid_webhook_url", f"the webhook URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise WebhookRefused("invalid_webhook_url", "the webhook URL contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise WebhookRefused("invalid_webhook_url", f"the webhook URL must be http(s)://…, not {url[:80]!r}")
    try:
        port = parts.port
    except ValueError:
        raise WebhookRefused("invalid_webhook_url", "the webhook URL has an invalid port") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise WebhookRefused("invalid_webhook_url", "the webhook URL has no host")
    if _ip_literal(host) is None and not _HOST_NAME.fullmatch(host):
        raise WebhookRefused("invalid_webhook_url", f"the webhook URL's host {host[:80]!r} is not a host name "
                                                    "(letters, digits and hyphens; an international name in its xn-- form)")
    scheme = parts.scheme.lower()
    return WebhookUrl(url=url, scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80))


def check_scheme(webhook: WebhookUrl, allowlist: Allowlist) -> None:
    if webhook.scheme != "https" and not allowlist.names(webhook.host):
        raise WebhookRefused("webhook_url_refused",
                             f"plain HTTP to {webhook.host} is refused: use https, or name the host in "
                             "PROVNEWS_ALERTS_WEBHOOK_ALLOWLIST")


def check_addresses(webhook: WebhookUrl, addresses: Sequence[str], allowlist: Allowlist) -> str:
    """The first address to connect to, if every address the host resolves to may be called."""
    if not addresses:
        raise WebhookRefused("webhook_url_unresolvable", f"{webhook.host} resolves to no address", transient=True)
    named = allowlist.names(webhook.host)
    for text in addresses:
        address = _unmapped(ipaddress.ip_address(text.split("%", 1)[0]))
        if not (named or is_public(address) or allowlist.covers(address)):
            raise WebhookRefused("webhook_url_refused",
                                 f"{webhook.host} resolves to {address}, which is {_kind(address)}; webhooks may "
                                 "only call public addresses unless PROVNEWS_ALERTS_WEBHOOK_ALLOWLIST names it")
    return addresses[0].split("%", 1)[0]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


async def checked_target(url: str, allowlist: Allowlist, resolver: Resolver = system_resolver) -> Target:
    """Parse, check the scheme, resolve and check every address: where to connect, or WebhookRefused."""
    webhook = parse(url)
    check_scheme(webhook, allowlist)
    literal = _ip_literal(webhook.host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(webhook.host, webhook.port)
        except (OSError, UnicodeError) as exc:
            raise WebhookRefused("webhook_url_unresolvable", f"cannot resolve {webhook.host}: {exc}",
                                 transient=True) from exc
    return Target(webhook=webhook, address=check_addresses(webhook, addresses, allowlist))


# IPv6 forms that carry an IPv4 address inside: on a network with NAT64 or 6to4 relays they reach it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use, never global
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible (::a.b.c.d)
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 IPv4-translated (::ffff:0:a.b.c.d)
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, still routed inside some networks


def embedded_ipv4(address: IPAddress) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address stands for (NAT64, 6to4, compatible, mapped, translated), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64:
        return "NAT64", low32
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _TRANSLATED:
        return "IPv4-translated", low32
    if address in _COMPATIBLE and int(address) > 1:  # not :: nor ::1, which are themselves
        return "IPv4-compatible", low32
    return None


def is_public(address: IPAddress) -> bool:
    if address in _SITE_LOCAL or address in _NAT64_LOCAL:
        return False
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner[1])
    return address.is_global and not address.is_multicast


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return _unmapped(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


def _kind(address: IPAddress) -> str:
    if address in _SITE_LOCAL:
        return "site-local"
    if address in _NAT64_LOCAL:
        return "local-use NAT64"
    inner = embedded_ipv4(address)
    if inner is not None:
        return f"{inner[0]} for {inner[1]}, which is {_kind(inner[1])}"
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return "not global"
