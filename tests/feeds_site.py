"""A news site on loopback for the feeds tests: feeds and pages written for the tests, never anything outside.

Item n's page is one of the layouts in fixtures/pages with its numbers and canonical link changed, so
every item is a different article. The feed at /feeds/news.xml changes when a test says so, answers
conditional GETs with 304, and records the request headers; others answer 500, 503, garbage or 304.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
LAYOUTS = ("semantic.html", "portal.html")
PROVINCES = ("Hà Giang", "Bắc Kạn", "Cao Bằng", "Lạng Sơn", "Yên Bái", "Tuyên Quang", "Lào Cai", "Sơn La")


def item_page(n: int) -> str:
    layout = LAYOUTS[n % 2]
    html = (PAGES / layout).read_text(encoding="utf-8")
    province = PROVINCES[n % len(PROVINCES)]
    if layout == "semantic.html":
        html = html.replace("Hà Giang", province).replace("15 phòng, ban", f"{10 + n} phòng, ban")
        # The canonical link names the site's public address (never fetched): the article's URL and source.
        html = html.replace("ha-giang-giam-15-phong-ban-12345.html", f"tin-{n}.html")
    else:
        html = html.replace("Bắc Kạn", province).replace("122 thôn", f"{100 + n} thôn")
    return html


@dataclass
class Site:
    items: list[int] = field(default_factory=lambda: [1, 2, 3])  # on the changing feed, oldest first
    version: int = 1
    feed_requests: list[dict] = field(default_factory=list)
    page_requests: list[str] = field(default_factory=list)
    hold: set[int] = field(default_factory=set)  # item pages that do not answer until released
    released: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def publish(self, items: list[int]) -> None:
        self.items, self.version = items, self.version + 1

    def feed_xml(self) -> str:
        entries = "".join(
            f"<item><title>Tin số {n}</title><link>{self.base_url}/tin/{n}.html?utm_source=rss</link>"
            f"<guid isPermaLink=\"false\">tin-{n}</guid>"
            f"<pubDate>{format_datetime(datetime(2024, 10, n % 28 + 1, 8, tzinfo=UTC))}</pubDate></item>"
            for n in reversed(self.items))
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape("Tin tỉnh")}</title>'
                f"<link>{self.base_url}/</link><description>Tin thử</description>{entries}</channel></rss>")

    def app(self) -> Starlette:
        async def news(request: Request) -> Response:
            self.feed_requests.append(dict(request.headers))
            etag = f'"v{self.version}"'
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            return Response(self.feed_xml(), media_type="application/rss+xml", headers={"ETag": etag})

        async def page(request: Request) -> Response:
            n = int(request.path_params["n"])
            self.page_requests.append(request.url.path)
            if n in self.hold:
                await asyncio.to_thread(self.released.wait, 60)
            return Response(item_page(n), media_type="text/html; charset=utf-8")

        async def status(request: Request) -> Response:
            code = int(request.path_params["code"])
            return Response("no", status_code=code, headers={"Retry-After": "120"} if code == 503 else {})

        async def garbage(request: Request) -> Response:
            return Response(b"\x00\x01<<<not a feed at all", media_type="application/xml")

        async def odd_items(request: Request) -> Response:
            links = ["/missing.html", "/file.pdf", "/huge.html", "http://10.255.255.1/private.html", "/tin/7.html"]
            entries = "".join(f"<item><title>x</title><link>{escape(link if link.startswith('http') else self.base_url + link)}"
                              f"</link></item>" for link in links)
            return Response(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>',
                            media_type="text/xml")

        async def missing(request: Request) -> Response:
            return Response("gone", status_code=404)

        async def pdf(request: Request) -> Response:
            return Response(b"%PDF-1.4", media_type="application/pdf")

        async def huge(request: Request) -> Response:
            return Response("<html><body>" + "<p>chữ</p>" * 200_000 + "</body></html>", media_type="text/html")

        return Starlette(routes=[
            Route("/feeds/news.xml", news), Route("/tin/{n:int}.html", page), Route("/status/{code:int}.xml", status),
            Route("/feeds/garbage.xml", garbage), Route("/feeds/odd.xml", odd_items), Route("/missing.html", missing),
            Route("/file.pdf", pdf), Route("/huge.html", huge),
        ])
