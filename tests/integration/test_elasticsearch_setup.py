"""`provnews setup` against a stand-in Elasticsearch on loopback: what it checks before it creates anything.

The stand-in (tests.elasticsearch_helpers.FakeElasticsearch) answers GET / with a version and refuses an API
version it cannot serve the way a real cluster does (400 media_type_header_exception), so the real client's
headers meet a server of another version.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest
from elasticsearch import __versionstr__ as client_version
from packaging.requirements import Requirement

from common.elastic import NEWEST_MAJOR, OLDEST, unsupported
from tests.conftest import ROOT
from tests.elasticsearch_helpers import FakeElasticsearch


def run_setup(es_url: str, *, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    """`provnews setup --no-topics` as a process; a refusal must end it long before `timeout` seconds."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    environ.update(PROVNEWS_STORAGE="elasticsearch", PROVNEWS_ES_URL=es_url, **env)
    return subprocess.run([sys.executable, "-m", "provnews.cli", "setup", "--no-topics", "--timeout", str(timeout)],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=90)


@pytest.fixture
def fake_es(serve):
    fake = FakeElasticsearch()
    fake.url = serve(fake.app()).url
    return fake


@pytest.mark.parametrize("version", ["8.19.3", "9.1.5", "9.5.6"])
def test_setup_names_the_cluster_version_then_applies_the_templates(fake_es, version):
    fake_es.version = version
    done = run_setup(fake_es.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"elasticsearch {version} at {fake_es.url}"
    assert any(r.path.startswith("/_index_template/") for r in fake_es.requests)


def test_a_refused_api_version_is_reported_as_a_version_mismatch_at_once(fake_es):
    fake_es.version = "7.17.25"  # serves compatible-with 7 and 6, not the 8 this client asks for
    done = run_setup(fake_es.url)
    assert done.returncode == 1
    assert "version mismatch" in done.stderr and "did not answer" not in done.stderr
    assert "Accept version must be either version 7 or 6, but found 8" in done.stderr  # the cluster's own reason
    assert f"elasticsearch-py {client_version}" in done.stderr
    assert not any(r.method == "PUT" for r in fake_es.requests)


def test_an_unsupported_server_version_is_refused_before_anything_is_created(fake_es):
    fake_es.version = "8.15.2"  # serves this client's API, but is older than the oldest supported 8.x
    done = run_setup(fake_es.url)
    assert done.returncode == 1
    assert "Elasticsearch 8.15.2 is not supported" in done.stderr and "8.19" in done.stderr
    assert not any(r.method == "PUT" for r in fake_es.requests)


def test_wrong_credentials_are_reported_with_the_clusters_reason_at_once(fake_es):
    fake_es.authorization = "ApiKey cmlnaHQ="
    done = run_setup(fake_es.url, PROVNEWS_ES_API_KEY="d3Jvbmc=")
    assert done.returncode == 1
    assert "HTTP 401" in done.stderr and "security_exception" in done.stderr


def test_nothing_listening_is_a_timeout_that_says_what_was_tried(closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    done = run_setup(url, timeout=3, PROVNEWS_ES_REQUEST_TIMEOUT_S="1")
    assert done.returncode == 1
    assert f"Elasticsearch at {url} did not answer within 3s" in done.stderr


def test_the_supported_range_is_what_the_versions_say():
    assert unsupported("Elasticsearch", "8.19.0") is None and unsupported("Elasticsearch", "9.0.0") is None
    assert unsupported("Elasticsearch", f"{NEWEST_MAJOR + 1}.0.0") and unsupported("Elasticsearch", "8.18.9")
    assert unsupported("Kibana", "") and unsupported("Elasticsearch", "7.17.25")


def test_the_pinned_client_speaks_to_every_supported_server():
    """A client asks for its own major's API; a server serves its own major and the one before; within one
    major a client works with servers of its minor or later. So every client the pin allows must have the
    oldest supported major and a minor no later than the oldest supported one; and it must have
    async_streaming_bulk's retry_on_status (8.16 and later)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [pin] = [Requirement(r) for r in pyproject["project"]["dependencies"] if Requirement(r).name == "elasticsearch"]
    assert "async" in pin.extras
    oldest_major, oldest_minor = OLDEST
    for server_major in range(oldest_major, NEWEST_MAJOR + 1):
        assert server_major - 1 <= oldest_major <= server_major  # one client major serves the whole range
    assert not pin.specifier.contains(f"{oldest_major + 1}.0.0"), f"{pin} allows a client that {oldest_major}.x refuses"
    assert pin.specifier.contains(f"{oldest_major}.{oldest_minor}.0")
    for too_old in ("8.13.0", "8.15.1"):  # no retry_on_status in async_streaming_bulk
        assert not pin.specifier.contains(too_old), f"{pin} allows {too_old}"
    assert pin.specifier.contains(client_version)
