"""A stand-in for Elasticsearch on a loopback port, answering with recorded response shapes.

The real AsyncElasticsearch client talks to it over HTTP, so what is tested is the request the client
really sends and how the adapter reads what a real cluster answers: bulk item errors, 429s, version
conflicts. It keeps no index; each test says how bulk items and real-time gets are answered.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from common.stores.elasticsearch_store import load_templates
from tests.conftest import ROOT

PRODUCT = {"X-Elastic-Product": "Elasticsearch"}

# Item errors as Elasticsearch 9 words them in a bulk response.
DOCUMENT_PARSING = {
    "type": "document_parsing_exception",
    "reason": "[1:1204] failed to parse field [published] of type [date] in document with id 'x'. "
              "Preview of field's value: '2025-13-45'",
    "caused_by": {"type": "illegal_argument_exception",
                  "reason": "failed to parse date field [2025-13-45] with format [strict_date]"},
}
REJECTED_EXECUTION = {
    "type": "es_rejected_execution_exception",
    "reason": "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
              "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1, max_coordinating_and_primary_bytes=0]",
}
VERSION_CONFLICT = {
    "type": "version_conflict_engine_exception",
    "reason": "[x]: version conflict, current version [1735689600000000] is higher than the one provided "
              "[1704067200000000]",
    "index_uuid": "pT6dPGq7RUy3rgZyA8kT0w", "shard": "0", "index": "provnews-articles-v1",
}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def ndjson(self) -> list[dict]:
        return [json.loads(line) for line in self.body.splitlines() if line.strip()]


@dataclass
class FakeElasticsearch:
    """bulk_item(op, meta, source) returns (status, error) for an item, or None for success;
    `stored` answers real-time mgets: id -> (version, derived_ids); `status` answers every request when set."""

    bulk_item: Callable[[str, dict, dict | None], tuple[int, dict] | None] = lambda op, meta, source: None
    stored: dict[str, tuple[int, dict]] = field(default_factory=dict)
    status: int | None = None
    count: int = 0  # what _count answers
    counts: dict[str, int] = field(default_factory=dict)  # index or alias -> what its _count answers instead
    aliases_exist: bool = True
    created_aliases: set[str] = field(default_factory=set)
    documents: dict[str, dict] = field(default_factory=dict)  # id -> _source, for real-time GETs
    search: Callable[[dict], dict] | None = None  # request body -> response, for searches
    requests: list[Recorded] = field(default_factory=list)
    version: str = "9.5.6"  # what GET / says; requests for an API version it cannot serve are refused, as ES does
    authorization: str | None = None  # when set, requests without this Authorization header answer 401
    mapping_version: int = 1  # what every live index's mapping says
    refuse_mapping_change: bool = False  # PUT _mapping answers as for a change to an existing field

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def bulk_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/_bulk")]

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "HEAD", "POST", "PUT", "DELETE"])])

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.query_params),
                                      {k.lower(): v for k, v in request.headers.items()}, body))
        if refused := self._media_type_refusal(request):
            return _json(refused, 400)
        if self.authorization and request.headers.get("authorization") != self.authorization:
            return _json(_error("security_exception", f"missing authentication credentials for REST request "
                                                      f"[{request.url.path}]", status=401), 401)
        if self.status is not None:
            return _json({"error": {"type": "unavailable_shards_exception", "reason": "primary shard is not active"},
                          "status": self.status}, self.status)
        path = request.url.path
        if path == "/":
            return _json(self.info()) if request.method == "GET" else Response(status_code=200, headers=PRODUCT)
        if request.method == "HEAD":  # exists_alias / exists: aliases exist once created (or from the start)
            name = path.strip("/").split("/")[-1]
            found = path.startswith("/_alias/") and (self.aliases_exist or name in self.created_aliases)
            return Response(status_code=200 if found else 404, headers=PRODUCT)
        if path.endswith("/_mget"):
            ids = json.loads(body)["ids"]
            index = path.strip("/").split("/")[0]
            docs = []
            for doc_id in ids:
                if doc_id in self.stored:
                    version, derived = self.stored[doc_id]
                    docs.append({"_index": f"{index}-v1", "_id": doc_id, "_version": version, "found": True,
                                 "_source": {"derived_ids": derived}})
                else:
                    docs.append({"_index": f"{index}-v1", "_id": doc_id, "found": False})
            return _json({"docs": docs})
        if path.endswith("/_bulk"):
            return _json(self._bulk(body))
        parts = path.strip("/").split("/")
        if request.method == "PUT" and len(parts) == 1 and body:  # creating an index, maybe with its alias
            self.created_aliases.update(json.loads(body).get("aliases", {}))
        if request.method == "GET" and parts[0] == "_alias":  # every alias points at version 1
            return _json({f"{name}-v1": {"aliases": {name: {}}} for name in parts[1].split(",")})
        if parts[-1] == "_mapping" and request.method == "PUT":
            if self.refuse_mapping_change:
                return _json(_error("illegal_argument_exception",
                                    "mapper [title] cannot be changed from type [text] to [keyword]", status=400), 400)
            return _json({"acknowledged": True})
        if parts[-1] == "_mapping":
            return _json({f"{name}-v1": {"mappings": {"_meta": {"mapping_version": self.mapping_version}}}
                          for name in parts[0].split(",")})
        if parts[-1] == "_count":
            return _json({"count": self.counts.get(parts[0], self.count),
                          "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
        if len(parts) == 3 and parts[1] == "_doc":  # a real-time GET
            if parts[2] in self.documents:
                return _json({"_index": f"{parts[0]}-v1", "_id": parts[2], "_version": 1, "found": True,
                              "_source": self.documents[parts[2]]})
            return _json({"_index": f"{parts[0]}-v1", "_id": parts[2], "found": False}, 404)
        if parts[-1] == "_search" and self.search is not None:
            return _json(self.search(json.loads(body or b"{}")))
        if parts[-1] == "_search" or parts[:2] == ["_search", "scroll"]:
            if request.method == "DELETE":
                return _json({"succeeded": True, "num_freed": 1})
            return _json({"_scroll_id": "scroll-1", "took": 1, "timed_out": False,
                          "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                          "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}})
        if request.method == "GET" and "*" in parts[0]:  # the existing versions: v1 of each
            return _json({name.replace("*", "1"): {"aliases": {}} for name in parts[0].split(",")})
        return _json({"acknowledged": True})

    def info(self) -> dict:
        return {"name": "es01", "cluster_name": "docker-cluster", "cluster_uuid": "kY3wF0ZbQp2m3cU1p4dS0g",
                "version": {"number": self.version, "build_flavor": "default", "build_type": "docker",
                            "build_snapshot": False, "minimum_wire_compatibility_version": f"{self.major - 1}.19.0",
                            "minimum_index_compatibility_version": f"{self.major - 1}.0.0"},
                "tagline": "You Know, for Search"}

    def _media_type_refusal(self, request: Request) -> dict | None:
        """A server serves the API of its own major and of the one before (`compatible-with=N` in the
        Accept and Content-Type headers); any other version is a 400 media_type_header_exception."""
        for header in ("Accept", "Content-Type"):
            value = request.headers.get(header, "")
            match = re.search(r"compatible-with=(\d+)", value)
            if match and int(match.group(1)) not in (self.major, self.major - 1):
                cause = {"type": "status_exception",
                         "reason": f"{header} version must be either version {self.major} or {self.major - 1}, "
                                   f"but found {match.group(1)}. {header}={value}"}
                return _error("media_type_header_exception",
                              "Invalid media-type value on headers [Accept, Content-Type]", caused_by=cause, status=400)
        return None

    def _bulk(self, body: bytes) -> dict:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        items, errors, i = [], False, 0
        while i < len(lines):
            op, meta = next(iter(lines[i].items()))
            source = lines[i + 1] if op != "delete" else None
            i += 1 if op == "delete" else 2
            index = meta["_index"] if meta["_index"].rsplit("-", 1)[-1].startswith("v") else f"{meta['_index']}-v1"
            outcome = self.bulk_item(op, meta, source)
            item = {"_index": index, "_id": meta["_id"]}
            if outcome is None:
                item.update({"_version": meta.get("version", 1), "result": "deleted" if op == "delete" else "created",
                             "status": 200 if op == "delete" else 201, "_seq_no": 0, "_primary_term": 1})
            else:
                status, error = outcome
                item["status"] = status
                if error:
                    item["error"] = error
                    errors = True
                else:
                    item["result"] = "not_found"
            items.append({op: item})
        return {"errors": errors, "took": 3, "items": items}


def _error(error_type: str, reason: str, *, status: int, caused_by: dict | None = None) -> dict:
    cause = {"caused_by": caused_by} if caused_by else {}
    return {"error": {"root_cause": [{"type": error_type, "reason": reason}], "type": error_type, "reason": reason,
                      **cause}, "status": status}


def _json(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json", headers=PRODUCT)


# The index templates in deploy/elasticsearch/ and the fields their mappings address.
DIR = ROOT / "deploy" / "elasticsearch"


def templates():
    return load_templates(DIR)


def mapping_of(alias: str) -> dict:
    return next(t for t in templates() if t.kind == "index" and t.body["_meta"]["alias"] == alias).body["template"]["mappings"]


def field_paths(properties: dict, prefix: str = "") -> dict[str, dict]:
    """Every addressable field of a mapping (multi-fields and nested included), with its definition."""
    paths = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        paths[path] = spec
        for sub, sub_spec in spec.get("fields", {}).items():
            paths[f"{path}.{sub}"] = sub_spec
        paths.update(field_paths(spec.get("properties", {}), f"{path}."))
    return paths
