"""docker-compose.yml and the Dockerfile, read as compose and docker read them."""
from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES_IN_COMPOSE = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
HEALTH_PATHS = ("/readyz", "/healthz")


def instructions(dockerfile: str = DOCKERFILE) -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in dockerfile.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1] if " " in text else "") for text in logical]


def interpolate(value):
    """What compose makes of ${VAR:-default} with nothing set in the environment."""
    if isinstance(value, str):
        return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", lambda m: m.group(1), value)
    return value


def environment(service: dict) -> dict[str, str]:
    return {k: str(interpolate(v)) for k, v in (service.get("environment") or {}).items()}


def provnews_services() -> dict[str, dict]:
    return {name: s for name, s in SERVICES_IN_COMPOSE.items() if s.get("image") == "provnews:local"}


def health_url(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return next(part for part in test if isinstance(part, str) and part.startswith("http"))
