"""docker-compose.yml and the Dockerfile agree with the code: commands, settings, ports, healthchecks, images."""
from __future__ import annotations

import re
import tomllib
from urllib.parse import urlsplit

import pytest
import yaml

from provnews.cli import SERVICES, app
from provnews.settings import Settings
from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES_IN_COMPOSE = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
HEALTH_PATHS = ("/readyz", "/healthz")


def interpolate(value):
    """What compose makes of ${VAR:-default} with nothing set in the environment."""
    if isinstance(value, str):
        return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", lambda m: m.group(1), value)
    return value


def environment(service: dict) -> dict[str, str]:
    return {k: str(interpolate(v)) for k, v in (service.get("environment") or {}).items()}


def provnews_services() -> dict[str, dict]:
    return {name: s for name, s in SERVICES_IN_COMPOSE.items() if s.get("image") == "provnews:local"}


def served() -> dict[str, str]:
    """compose service name -> the provnews service it serves."""
    return {name: s["command"][1] for name, s in provnews_services().items() if s["command"][0] == "serve"}


def health_url(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return next(part for part in test if isinstance(part, str) and part.startswith("http"))


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
    # elasticsearch-py speaks to servers of its own major version.
    from elasticsearch import __versionstr__

    assert es.split(":")[1].split(".")[0] == __versionstr__.split(".")[0]
    kafka_env = environment(SERVICES_IN_COMPOSE["kafka"])
    assert "broker" in kafka_env["KAFKA_PROCESS_ROLES"] and "controller" in kafka_env["KAFKA_PROCESS_ROLES"]


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


def test_the_dockerfile_installs_the_package_layout_and_ships_deploy():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    copied = {line.split()[1].rstrip("/") for line in DOCKERFILE.splitlines() if line.startswith("COPY ")}
    for source_dir in set(pyproject["tool"]["setuptools"]["package-dir"].values()):
        assert source_dir.split("/")[0] in copied, source_dir
    assert {"deploy", "pyproject.toml", pyproject["project"]["readme"]} <= copied | set(
        next(line for line in DOCKERFILE.splitlines() if line.startswith("COPY pyproject.toml")).split()[1:-1])
    assert 'ENTRYPOINT ["provnews"]' in DOCKERFILE and "PROVNEWS_DEPLOY_DIR=/app/deploy" in DOCKERFILE
    assert Settings(deploy_dir="/app/deploy").deploy_dir.name == "deploy"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", ".provnews"} <= set(ignored)
    assert not {"deploy", "seeds", "provnews", "services", "schemas", "README.md"} & set(ignored)


def test_ingest_asks_writers_for_an_api_key_in_compose():
    settings = Settings(**{k.removeprefix("PROVNEWS_").lower(): v
                           for k, v in environment(SERVICES_IN_COMPOSE["ingest"]).items()})
    assert settings.ingest_require_keys and settings.ingest_api_keys == {} and settings.ingest_api_key is None
    assert not Settings(_env_file=None).ingest_require_keys  # the embedded default: open
