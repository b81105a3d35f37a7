"""Fetches a feed or a page with httpx, under the rules against server-side request forgery.

Every URL (and every redirect) is resolved and checked by the rules the alerts' webhooks follow too
(common.public_urls): only public addresses unless PROVNEWS_FEEDS_ALLOWLIST names the host or
network, and the request goes to the very address that was checked (Host header and TLS server name
kept), so DNS cannot swap in a private address in between. Unlike webhooks, plain HTTP to a public
address is allowed: many provincial sites serve their feeds so. One deadline covers the whole fetch,
bodies are read up to a cap, and only the expected content types are read at all.
"""
from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from common.public_urls import Allowlist, Resolver, WebhookRefused, check_addresses, parse, system_resolver

USER_AGENT = "provnews-feeds/1"
MAX_REDIRECTS = 4
REDIRECTS = (301, 302, 303, 307, 308)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/feed+json", "text/plain")
PAGE_TYPES = ("text/html", "application/xhtml+xml")
_ALLOWLIST_HINT = ("feeds and their pages are fetched from public addresses only, unless PROVNEWS_FEEDS_ALLOWLIST "
                   "names the host or network")


class FetchRefused(Exception):
    """Not fetched, and fetching again will not help (refused address, too large, wrong type)."""

    def __init__(self, error: str, detail: str):
        super().__init__(detail)
        self.error, self.detail = error, detail


class FetchFailed(Exception):
    """Not fetched this time (timeout, connection refused, unresolvable name): worth trying again later."""


@dataclass(frozen=True)
class Fetched:
    url: str = ""  # the final URL, after redirects
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class HttpxFetcher:
    def __init__(self, allowlist: Allowlist, timeout_s: float, *, resolver: Resolver = system_resolver):
        self.allowlist, self.timeout_s, self.resolver = allowlist, timeout_s, resolver
        self._client = httpx.AsyncClient(timeout=timeout_s, trust_env=False, follow_redirects=False,
                                         limits=httpx.Limits(max_keepalive_connections=0, max_connections=20))

    async def get(self, url: str, *, max_bytes: int, accept: Sequence[str], headers: dict[str, str] | None = None) -> Fetched:
        """The answer to a GET: a 2xx with its body (of an accepted type, within max_bytes), or any other
        status without one. Raises FetchRefused or FetchFailed."""
        try:
            async with asyncio.timeout(self.timeout_s):
                for _ in range(MAX_REDIRECTS + 1):
                    response = await self._send(url, headers or {})
                    try:
                        location = response.headers.get("location")
                        if response.status_code in REDIRECTS and location:
                            url = urljoin(url, location)
                            continue
                        if not 200 <= response.status_code < 300:
                            return Fetched(url=url, status=response.status_code, headers=dict(response.headers))
                        _check_type(url, response.headers.get("content-type", ""), accept)
                        body = await _read_capped(url, response, max_bytes)
                        return Fetched(url=url, status=response.status_code, headers=dict(response.headers), body=body)
                    finally:
                        await response.aclose()
                raise FetchRefused("too_many_redirects", f"{url}: more than {MAX_REDIRECTS} redirects")
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchFailed(f"{url}: no answer within {self.timeout_s:g} s") from exc
        except httpx.TransportError as exc:
            raise FetchFailed(f"{url}: {type(exc).__name__}: {exc}"[:500]) from exc

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        try:
            target = parse(url)
            literal = _literal(target.host)
            addresses = [literal] if literal else await self.resolver(target.host, target.port)
            address = check_addresses(target, addresses, self.allowlist)
        except OSError as exc:
            raise FetchFailed(f"cannot resolve {url}: {exc}") from exc
        except WebhookRefused as exc:
            if exc.transient:
                raise FetchFailed(exc.detail) from exc
            reason = exc.detail.split(";")[0] if exc.error == "webhook_url_refused" else exc.detail
            raise FetchRefused(exc.error.replace("webhook_", ""), f"{reason}; {_ALLOWLIST_HINT}"
                               if exc.error == "webhook_url_refused" else reason) from exc
        pinned = httpx.URL(url).copy_with(host=address)
        default_port = 443 if target.scheme == "https" else 80
        host_header = target.host if ":" not in target.host else f"[{target.host}]"
        if target.port != default_port:
            host_header += f":{target.port}"
        request = self._client.build_request(
            "GET", pinned, headers={**headers, "Host": host_header, "User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
            extensions={"sni_hostname": target.host} if target.scheme == "https" else None)
        return await self._client.send(request, stream=True)

    async def close(self) -> None:
        await self._client.aclose()


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _check_type(url: str, content_type: str, accept: Sequence[str]) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in accept:
        raise FetchRefused("unexpected_content_type", f"{url} is {media_type or 'of no declared type'}, "
                                                      f"not one of {', '.join(accept)}")


async def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused("too_large", f"{url} is {declared} bytes, over the {max_bytes} allowed")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused("too_large", f"{url} is over the {max_bytes} bytes allowed")
        chunks.append(chunk)
    return b"".join(chunks)
