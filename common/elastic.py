"""Which Elasticsearch and Kibana versions provnews supports, and how a version outside them is reported.

The client is elasticsearch-py 8.x (pyproject.toml). It asks for its own major's API on every request
(`compatible-with=8`); a server accepts its own major and the one before, so an 8.x client talks to 8.x
and 9.x servers, while a 9.x client is refused by 8.x ones. Within a major, a client works with servers
of its own minor or later, hence 8.19 (the last 8.x line) as the lowest server. Kibana runs with an
Elasticsearch of its own version, so the same range holds for it.
"""
from __future__ import annotations

import re

OLDEST = (8, 19)
NEWEST_MAJOR = 9
SUPPORTED = f"{OLDEST[0]}.{OLDEST[1]} or later {OLDEST[0]}.x, or {NEWEST_MAJOR}.x"
_VERSION = re.compile(r"(\d+)\.(\d+)")


def parse_version(number: str) -> tuple[int, int] | None:
    match = _VERSION.match(number or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def unsupported(product: str, number: str) -> str | None:
    """Why `product` at version `number` cannot be used, or None when it is supported."""
    version = parse_version(number)
    if version is None:
        return (f"{product} answered without a version number ({number!r}); "
                f"provnews supports {product} {SUPPORTED}")
    if version < OLDEST or version[0] > NEWEST_MAJOR:
        return f"{product} {number} is not supported; provnews supports {product} {SUPPORTED}"
    return None
