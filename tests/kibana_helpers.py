"""A stand-in for Kibana on a loopback port: its status API and the saved objects import.

/api/status answers as Kibana does: the overall level is the worst of the core services and the plugins,
while the HTTP status is 503 only when a core service (elasticsearch, savedObjects) is unavailable or
worse, so one degraded plugin leaves it at 200 with the overall level "degraded". A request without
credentials to a Kibana that wants them gets the redacted form: the core level alone, no version.
"""
from __future__ import annotations

from email import policy
from email.parser import BytesParser

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from provnews.kibana import DASHBOARD_ID

LEVELS = ("available", "degraded", "unavailable", "critical")


def worst(levels) -> str:
    return max(levels, key=LEVELS.index, default="available")


class FakeKibana:
    """Unavailable (503, core not yet reported) for the first `starting` status calls, then `core` and
    `plugins` levels; records the imports it gets, and refuses them with a missing reference if `refuse`."""

    def __init__(self, refuse: bool = False, *, version: str = "9.5.6", starting: int = 1,
                 plugins: dict[str, str] | None = None, core: dict[str, str] | None = None, redacted: bool = False):
        self.status_calls = 0
        self.imports: list[dict] = []
        self.refuse = refuse
        self.version = version
        self.starting = starting
        self.plugins = plugins if plugins is not None else {"dashboard": "available", "dataViews": "available"}
        self.core = core or {"elasticsearch": "available", "savedObjects": "available"}
        self.redacted = redacted

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/status", self.status), Route("/api/saved_objects/_import", self.upload,
                                                                          methods=["POST"])])

    def status_body(self) -> tuple[int, dict]:
        self.status_calls += 1
        if self.status_calls <= self.starting:
            core = {name: "unavailable" for name in self.core}
            plugins: dict[str, str] = {}
        else:
            core, plugins = self.core, self.plugins
        core_level = worst(core.values())
        code = 503 if LEVELS.index(core_level) >= LEVELS.index("unavailable") else 200
        if self.redacted:
            return code, {"status": {"overall": {"level": core_level}}}
        overall = worst([*core.values(), *plugins.values()])
        return code, {
            "name": "kibana", "uuid": "5b2de169-2785-441b-ae8c-186a1936b17d",
            "version": {"number": self.version, "build_hash": "0" * 40, "build_number": 88000, "build_snapshot": False,
                        "build_flavor": "traditional", "build_date": "2026-11-20T10:00:00.000Z"},
            "status": {
                "overall": {"level": overall, "summary": _summary(overall)},
                "core": {name: {"level": level, "summary": _summary(level, name)} for name, level in core.items()},
                "plugins": {name: {"level": level, "summary": _summary(level, name)} for name, level in plugins.items()},
            },
            "metrics": {"last_updated": "2026-12-01T00:00:00.000Z", "collection_interval_in_millis": 5000},
        }

    async def status(self, request: Request) -> JSONResponse:
        code, body = self.status_body()
        return JSONResponse(body, status_code=code)

    async def upload(self, request: Request) -> JSONResponse:
        raw = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + await request.body()
        [part] = BytesParser(policy=policy.HTTP).parsebytes(raw).iter_parts()  # multipart/form-data, one file
        assert part.get_param("name", header="content-disposition") == "file"
        content = part.get_payload(decode=True).decode()
        self.imports.append({"query": dict(request.query_params), "xsrf": request.headers.get("kbn-xsrf"),
                             "filename": part.get_filename(), "content": content,
                             "authorization": request.headers.get("authorization")})
        count = len(content.splitlines())
        if self.refuse:
            return JSONResponse({"success": False, "successCount": count - 1, "errors": [
                {"id": DASHBOARD_ID, "type": "dashboard", "error": {"type": "missing_references"}}]})
        return JSONResponse({"success": True, "successCount": count})


def _summary(level: str, name: str = "") -> str:
    if not name:
        return "All services and plugins are available" if level == "available" else f"Some services are {level}"
    return f"{name} is {level}" if level == "available" else f"{name} is {level}: its health check failed"
