"""Sends one webhook attempt with httpx, to the address that was checked.

The host is resolved and checked before every attempt (common.public_urls), and the request then goes to
that very address with the original Host header and TLS server name, so DNS cannot swap in a
private address between the check and the connection. Connections are not kept alive (a pooled
connection is keyed by address and could otherwise carry one host's alert to another), proxies from
the environment are ignored, redirects are not followed, and the whole attempt has one deadline.
"""
from __future__ import annotations

import asyncio
import time

import httpx

from common.public_urls import Allowlist, Resolver, WebhookRefused, checked_target, system_resolver
from services.alerts.retry import AttemptResult, parse_retry_after

USER_AGENT = "provnews-alerts/1"


class HttpxSender:
    def __init__(self, allowlist: Allowlist, timeout_s: float, *, resolver: Resolver = system_resolver):
        self.allowlist = allowlist
        self.timeout_s = timeout_s
        self.resolver = resolver
        self._client = httpx.AsyncClient(timeout=timeout_s, trust_env=False, follow_redirects=False,
                                         limits=httpx.Limits(max_keepalive_connections=0, max_connections=200))

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
        started = time.perf_counter()

        def elapsed_ms() -> float:
            return (time.perf_counter() - started) * 1000

        try:
            async with asyncio.timeout(self.timeout_s):
                target = await checked_target(url, self.allowlist, self.resolver)
                webhook = target.webhook
                pinned = httpx.URL(url).copy_with(host=target.address)
                default_port = 443 if webhook.scheme == "https" else 80
                host_header = webhook.host if ":" not in webhook.host else f"[{webhook.host}]"
                if webhook.port != default_port:
                    host_header += f":{webhook.port}"
                request = self._client.build_request(
                    "POST", pinned, content=body,
                    headers={**headers, "Host": host_header, "User-Agent": USER_AGENT},
                    extensions={"sni_hostname": webhook.host} if webhook.scheme == "https" else None,
                )
                response = await self._client.send(request, stream=True)  # the status is all we need, not the body
                await response.aclose()
        except WebhookRefused as exc:
            return AttemptResult(error=f"{exc.error}: {exc.detail}", latency_ms=elapsed_ms(), transient=exc.transient)
        except (TimeoutError, httpx.TimeoutException):
            return AttemptResult(error=f"timeout after {self.timeout_s:g} s", latency_ms=elapsed_ms())
        except httpx.TransportError as exc:
            return AttemptResult(error=f"{type(exc).__name__}: {exc}"[:500], latency_ms=elapsed_ms())
        return AttemptResult(status_code=response.status_code, latency_ms=elapsed_ms(),
                             retry_after_s=parse_retry_after(response.headers.get("retry-after"), time.time()))

    async def close(self) -> None:
        await self._client.aclose()
