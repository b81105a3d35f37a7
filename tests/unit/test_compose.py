"""docker-compose.yml and the Dockerfile agree with the code: commands, settings, ports, healthchecks, images."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from urllib.parse import urlsplit

import pytest

from common.settings import Settings
from provnews.cli import SERVICES, app
from tests.compose_helpers import (
    COMPOSE,
    DOCKERFILE,
    HEALTH_PATHS,
    SERVICES_IN_COMPOSE,
    environment,
    health_url,
    instructions,
    interpolate,
    provnews_services,
)
from tests.conftest import ROOT


def served() -> dict[str, str]:
    """compose service name -> the provnews service it serves."""
    return {name: s["command"][1] for name, s in provnews_services().items() if s["command"][0] == "serve"}


def test_the_stack_has_kafka_elasticsearch_kibana_and_every_provnews_service():
    assert {"kafka", "elasticsearch", "kibana", "setup", "kibana-setup"} <= set(SERVICES_IN_COMPOSE)
    assert sorted(served().values()) == sorted(SERVICES)  # each service exactly once, every one of them
    assert set(served()) == set(SERVICES)


def test_images_are_the_official_ones_and_elastic_versions_match():
    kafka = interpolate(SERVICES_IN_COMPOSE["kafka"]["image"])
    assert kafka.startswith("apache/kafka:")
    es = interpolate(SERVICES_IN_COMPOSE["elasticsearch"]["image"])
    kibana = interpolate(SERVICES_IN_COMPOSE["kibana"]["image"])
    assert es.startswith("docker.elastic.co/elasticsearch/elasticsearch:")
    assert kibana.startswith("docker.elastic.co/kibana/kibana:")
    assert es.split(":")[1] == kibana.split(":")[1]
    assert_the_client_speaks_to(es.split(":")[1])
    kafka_env = environment(SERVICES_IN_COMPOSE["kafka"])
    assert "broker" in kafka_env["KAFKA_PROCESS_ROLES"] and "controller" in kafka_env["KAFKA_PROCESS_ROLES"]


def assert_the_client_speaks_to(image_version: str) -> None:
    """The bundled cluster is a supported version that the installed client talks to: a client asks for its
    own major's API, which servers of that major (of its minor or later) and of the next major serve."""
    from elasticsearch import __versionstr__

    from common.elastic import parse_version, unsupported

    assert unsupported("Elasticsearch", image_version) is None
    (server_major, server_minor), (client_major, client_minor) = parse_version(image_version), parse_version(__versionstr__)
    assert (server_major, server_minor) >= (client_major, client_minor) and server_major - client_major in (0, 1)


@pytest.mark.parametrize("name", sorted(provnews_services()))
def test_every_provnews_command_is_a_real_command(name):
    command = provnews_services()[name]["command"]
    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    assert command[0] in names
    if command[0] == "serve":
        assert command[1] in SERVICES


@pytest.mark.parametrize("name", sorted(provnews_services()))
def test_environment_names_real_settings_and_validates(name):
    env = environment(provnews_services()[name])
    fields = set(Settings.model_fields)
    for key in env:
        assert key.startswith("PROVNEWS_") and key.removeprefix("PROVNEWS_").lower() in fields, key
    settings = Settings(**{k.removeprefix("PROVNEWS_").lower(): v for k, v in env.items()})
    assert settings.storage == "elasticsearch" and settings.host == "0.0.0.0" and settings.kafka_idempotence
    assert not settings.es_api_key and not settings.es_username  # development defaults: no credentials
    for url, service in ((f"kafka://{settings.kafka_bootstrap}", "kafka"), (settings.es_url, "elasticsearch"),
                         (settings.kibana_url, "kibana")):
        assert urlsplit(url).hostname == service and service in SERVICES_IN_COMPOSE
    kafka_env = environment(SERVICES_IN_COMPOSE["kafka"])
    assert f"PLAINTEXT://{settings.kafka_bootstrap}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert settings.topic_partitions == int(kafka_env["KAFKA_NUM_PARTITIONS"])


@pytest.mark.parametrize("name", sorted(served()))
def test_healthchecks_and_ports_match_the_settings_defaults(name):
    service = provnews_services()[name]
    port = getattr(Settings(), f"{served()[name]}_port")
    url = urlsplit(health_url(service))
    assert (url.hostname, url.port) == ("127.0.0.1", port) and url.path in HEALTH_PATHS
    for published in service.get("ports", []):
        assert int(str(published).split(":")[-1]) == port
    assert str(port) in DOCKERFILE.split("EXPOSE", 1)[1].splitlines()[0].split()


def test_services_start_after_setup_and_kibana_setup_after_kibana():
    for name, service in provnews_services().items():
        if name in served():
            assert service["depends_on"]["setup"]["condition"] == "service_completed_successfully", name
    setup = provnews_services()["setup"]["depends_on"]
    assert setup == {"kafka": {"condition": "service_healthy"}, "elasticsearch": {"condition": "service_healthy"}}
    assert provnews_services()["kibana-setup"]["depends_on"]["kibana"] == {"condition": "service_healthy"}
    for name, service in SERVICES_IN_COMPOSE.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES_IN_COMPOSE, f"{name} depends on unknown {dependency}"
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES_IN_COMPOSE[dependency], f"{dependency} has no healthcheck"
            if spec["condition"] == "service_completed_successfully":
                assert SERVICES_IN_COMPOSE[dependency]["restart"] == "no"


def test_the_scalable_services_claim_no_host_port_or_name():
    for name in ("extract", "indexer"):
        assert "ports" not in SERVICES_IN_COMPOSE[name] and "container_name" not in SERVICES_IN_COMPOSE[name]


def package_roots(pyproject: dict) -> set[str]:
    """The top-level packages setuptools installs: the repository root is the import root."""
    return {pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}


def test_the_dockerfile_installs_the_package_layout_and_ships_deploy():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    copied = {line.split()[1].rstrip("/") for line in DOCKERFILE.splitlines() if line.startswith("COPY ")}
    for root_package in package_roots(pyproject):
        assert root_package in copied, root_package
    assert {"deploy", "pyproject.toml", pyproject["project"]["readme"]} <= copied | set(
        next(line for line in DOCKERFILE.splitlines() if line.startswith("COPY pyproject.toml")).split()[1:-1])
    assert 'ENTRYPOINT ["provnews"]' in DOCKERFILE and "PROVNEWS_DEPLOY_DIR=/app/deploy" in DOCKERFILE
    assert Settings(deploy_dir="/app/deploy").deploy_dir.name == "deploy"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", ".provnews"} <= set(ignored)
    assert not {"deploy", "seeds", *package_roots(pyproject), "README.md"} & set(ignored)


def test_the_dependencies_are_installed_from_pyproject_alone_before_the_sources_are_copied(tmp_path):
    """So a code edit rebuilds only the package layer. The dependency step is run here as docker would run it,
    with a `pip` that records what it was asked to install instead of installing it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    sources = package_roots(pyproject)
    steps = instructions()
    installs = [i for i, (op, args) in enumerate(steps) if op == "RUN" and "pip install" in args]
    copies = {i: args.split()[:-1] for i, (op, args) in enumerate(steps) if op == "COPY"}
    first_source = min(i for i, names in copies.items() if {n.rstrip("/") for n in names} & sources)
    dependency_step = installs[0]
    assert dependency_step < first_source, "the first pip install must come before the sources are copied"
    assert all(names == ["pyproject.toml"] for i, names in copies.items() if i < dependency_step)
    assert "--no-deps" in steps[installs[-1]][1] and installs[-1] > first_source

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "pip"
    recorder.write_text("#!/bin/sh\n"
                        'printf "%s\\n" "$@" > "$PIP_ARGS"\n'
                        'while [ $# -gt 0 ]; do [ "$1" = "-r" ] && cp "$2" "$PIP_REQUIREMENTS"; shift; done\n')
    recorder.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "PIP_ARGS": str(tmp_path / "args"),
           "PIP_REQUIREMENTS": str(tmp_path / "requirements")}
    subprocess.run(["sh", "-c", steps[dependency_step][1]], cwd=tmp_path, env=env, check=True, timeout=60)
    installed = (tmp_path / "requirements").read_text().splitlines()
    assert installed == pyproject["project"]["dependencies"]
    assert "install" in (tmp_path / "args").read_text().split()


def production_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return " ".join(readme.split("## Production with Docker", 1)[1].split("\n## ", 1)[0].split())


def test_the_readme_names_the_supported_versions_the_bundled_ones_and_what_setup_checks():
    from packaging.requirements import Requirement

    from common.elastic import NEWEST_MAJOR, OLDEST

    section = production_section()
    major, minor = OLDEST
    assert f"**Supported versions.** Elasticsearch {major}.{minor} or a later {major}.x, or any {NEWEST_MAJOR}.x; " \
           "Kibana of the same version as the Elasticsearch it runs with" in section
    bundled = interpolate(SERVICES_IN_COMPOSE["elasticsearch"]["image"]).split(":")[1]
    assert f"The bundled cluster is {bundled}" in section
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [pin] = [Requirement(r) for r in pyproject["project"]["dependencies"] if r.startswith("elasticsearch")]
    lowest = next(spec.version for spec in pin.specifier if spec.operator == ">=")
    assert f"The client is elasticsearch-py {lowest}" in section and f"compatible-with={major}" in section
    checks = section.split("**What `setup` checks.**", 1)[1]
    for refusal in ("not supported", "version mismatch", "HTTP 401", "waited out", "kibana-setup", "degraded"):
        assert refusal in checks, refusal


def test_kafka_in_compose_is_the_local_brokers_release_and_keeps_its_log_on_a_volume():

    from provnews.local_kafka import KAFKA_DEPLOY

    pom = (KAFKA_DEPLOY / "pom.xml").read_text()
    local_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert interpolate(SERVICES_IN_COMPOSE["kafka"]["image"]) == f"apache/kafka:{local_version}"
    kafka_env = environment(SERVICES_IN_COMPOSE["kafka"])
    log_dir = kafka_env["KAFKA_LOG_DIRS"]
    assert any(v.split(":")[0] in COMPOSE["volumes"] and v.split(":")[1] == log_dir
               for v in SERVICES_IN_COMPOSE["kafka"]["volumes"])
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert str(kafka_env["KAFKA_LOG_RETENTION_MS"]) == "-1"


def test_the_brokers_message_size_fits_the_largest_event_the_services_publish():
    from provnews.local_kafka import LocalKafka

    env = environment(provnews_services()["ingest"])
    settings = Settings(**{k.removeprefix("PROVNEWS_").lower(): v for k, v in env.items()})
    assert int(environment(SERVICES_IN_COMPOSE["kafka"])["KAFKA_MESSAGE_MAX_BYTES"]) >= settings.max_message_bytes
    local = LocalKafka(Settings(), classpath="").server_properties()
    assert int(local["message.max.bytes"]) == Settings().max_message_bytes
    assert Settings().max_message_bytes > Settings().max_event_bytes > 3 * Settings().max_article_bytes


def test_ingest_asks_writers_for_an_api_key_in_compose():
    settings = Settings(**{k.removeprefix("PROVNEWS_").lower(): v
                           for k, v in environment(SERVICES_IN_COMPOSE["ingest"]).items()})
    assert settings.ingest_require_keys and settings.ingest_api_keys == {} and settings.ingest_api_key is None
    assert not Settings(_env_file=None).ingest_require_keys  # the embedded default: open
