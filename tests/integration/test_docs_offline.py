"""/docs and /redoc of every service work offline: the page and every script, style and image it names
come from the service itself."""
from __future__ import annotations

import re

import httpx
import pytest

from common.settings import Settings
from common.stores.sqlite_store import SqliteStore
from services.alerts.app import create_app as alerts_app
from services.ingest.app import create_app as ingest_app
from services.query.app import create_app as query_app


@pytest.fixture(params=["ingest", "query", "alerts"])
def service(request, tmp_path, serve) -> str:
    settings = Settings(data_dir=tmp_path / "data", kafka_bootstrap="127.0.0.1:9")  # no broker needed
    app = {"ingest": lambda: ingest_app(settings),
           "query": lambda: query_app(settings, store=SqliteStore(tmp_path / "q.sqlite3"), live=False),
           "alerts": lambda: alerts_app(settings, run_workers=False)}[request.param]()
    return serve(app).url


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_load_nothing_from_elsewhere(service, page):
    html = httpx.get(f"{service}{page}").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
        response = httpx.get(f"{service}{asset}")
        assert response.status_code == 200 and response.content, asset
    assert "cdn." not in html and "fonts.googleapis" not in html
