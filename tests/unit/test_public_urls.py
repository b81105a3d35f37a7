"""Webhook URLs: HTTPS to public addresses only, unless the allowlist names the host or network."""
from __future__ import annotations

import pytest

from common.public_urls import Allowlist, WebhookRefused, checked_target, parse

NONE = Allowlist.parse([])


def resolver(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)
    return resolve


PUBLIC = resolver("93.184.216.34")


async def refused(url: str, allowlist: Allowlist = NONE, resolve=PUBLIC) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as caught:
        await checked_target(url, allowlist, resolve)
    return caught.value


@pytest.mark.parametrize("url,detail", [
    ("", "1 to 2048 characters"),
    ("example.com/hook", "must be http(s)://"),
    ("ftp://example.com/hook", "must be http(s)://"),
    ("https:///hook", "has no host"),
    ("https://example.com:99999/hook", "invalid port"),
    ("https://exa mple.com/hook", "spaces"),
])
def test_malformed_urls_say_what_is_wrong(url, detail):
    with pytest.raises(WebhookRefused) as caught:
        parse(url)
    assert caught.value.error == "invalid_webhook_url" and detail in caught.value.detail


async def test_public_https_is_fine_and_connects_to_the_checked_address():
    target = await checked_target("https://hooks.example.com/x", NONE, resolver("93.184.216.34"))
    assert target.address == "93.184.216.34" and target.webhook.port == 443


async def test_plain_http_is_refused_unless_allowlisted():
    error = await refused("http://hooks.example.com/x")
    assert error.error == "webhook_url_refused" and "plain HTTP" in error.detail
    allowed = Allowlist.parse(["hooks.example.com"])
    assert (await checked_target("http://hooks.example.com/x", allowed, resolver("93.184.216.34"))).webhook.port == 80


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local"), ("::1", "loopback"), ("fe80::1", "link-local"), ("fd00::1", "private"),
    ("0.0.0.0", "unspecified"), ("::ffff:10.0.0.1", "private"), ("100.64.0.1", "not global"),
])
async def test_non_public_addresses_are_refused_after_resolution(address, kind):
    error = await refused("https://innocent.example.com/hook", resolve=resolver(address))
    assert error.error == "webhook_url_refused"
    assert f"which is {kind};" in error.detail


async def test_one_private_address_among_public_ones_is_enough_to_refuse():
    error = await refused("https://mixed.example.com/", resolve=resolver("93.184.216.34", "10.0.0.1"))
    assert "10.0.0.1" in error.detail


async def test_ip_literals_are_checked_without_dns():
    assert (await refused("https://10.0.0.5/hook")).error == "webhook_url_refused"
    assert (await refused("https://[::1]:8443/hook")).error == "webhook_url_refused"


async def test_the_allowlist_names_hosts_addresses_and_networks():
    loopback = Allowlist.parse(["127.0.0.1"])
    target = await checked_target("http://127.0.0.1:8080/hook", loopback)
    assert target.address == "127.0.0.1"
    network = Allowlist.parse(["10.0.0.0/8"])
    assert (await checked_target("https://internal.example/", network, resolver("10.9.9.9"))).address == "10.9.9.9"
    assert (await refused("https://internal.example/", network, resolver("192.168.1.1"))).error == "webhook_url_refused"
    host = Allowlist.parse(["hooks.internal"])
    assert (await checked_target("http://hooks.internal/x", host, resolver("10.0.0.2"))).address == "10.0.0.2"


async def test_an_unresolvable_host_is_refused_as_transient():
    async def fail(host, port):
        raise OSError("Name or service not known")
    error = await refused("https://nowhere.invalid/", resolve=fail)
    assert error.error == "webhook_url_unresolvable" and error.transient


# IPv6 forms that reach an IPv4 address through NAT64, 6to4 or the old compatible/translated
# notations, and deprecated site-local: Python 3.11 calls most of them global. Nothing connects.
@pytest.mark.parametrize("address,kind", [
    ("64:ff9b::a00:1", "NAT64 for 10.0.0.1, which is private"),
    ("64:ff9b::a9fe:a9fe", "NAT64 for 169.254.169.254, which is link-local"),
    ("64:ff9b::7f00:1", "NAT64 for 127.0.0.1, which is loopback"),
    ("64:ff9b:1::a00:1", "local-use NAT64"),
    ("64:ff9b:1:2::5db8:d822", "local-use NAT64"),
    ("2002:7f00:1::", "6to4 for 127.0.0.1, which is loopback"),
    ("2002:c0a8:101::1", "6to4 for 192.168.1.1, which is private"),
    ("::7f00:1", "IPv4-compatible for 127.0.0.1, which is loopback"),
    ("::127.0.0.1", "IPv4-compatible for 127.0.0.1, which is loopback"),
    ("::a00:1", "IPv4-compatible for 10.0.0.1, which is private"),
    ("::ffff:0:7f00:1", "IPv4-translated for 127.0.0.1, which is loopback"),
    ("::ffff:0:a9fe:a9fe", "IPv4-translated for 169.254.169.254, which is link-local"),
    ("fec0::1", "site-local"),
    ("fef0::1", "site-local"),
])
async def test_ipv6_forms_of_private_ipv4_and_site_local_are_refused(address, kind):
    for url, resolve in ((f"https://[{address}]/hook", resolver()),
                         ("https://innocent.example.com/hook", resolver(address))):
        error = await refused(url, resolve=resolve)
        assert error.error == "webhook_url_refused"
        assert f"which is {kind};" in error.detail, error.detail


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111"])
async def test_ipv6_forms_of_public_ipv4_are_fine(address):
    target = await checked_target(f"https://[{address}]/hook", NONE, resolver())
    assert target.address == address


@pytest.mark.parametrize("url", ["https://hooks.example*.com/x", "https://exa_mple.com/x", "https://hoøks.example.com/x",
                                 "https://a..b/x"])
def test_a_host_must_be_a_host_name(url):
    with pytest.raises(WebhookRefused) as caught:
        parse(url)
    assert caught.value.error == "invalid_webhook_url" and "is not a host name" in caught.value.detail
