"""The engine compiles the same patterns in every process, whatever Python's string-hash seed (set order)."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

_DIGEST = """
import hashlib, re, sys
from services.extract.engine import pipeline  # noqa: F401 - imports every component
digest = hashlib.sha256()
for name in sorted(m for m in sys.modules if m.startswith(("services.extract.engine", "common.text"))):
    for attr, value in sorted(vars(sys.modules[name]).items()):
        if isinstance(value, re.Pattern):
            digest.update(f"{name}.{attr}={value.pattern}".encode())
print(digest.hexdigest())
"""


def _patterns_digest(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", _DIGEST], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip()


def test_the_compiled_patterns_do_not_depend_on_the_hash_seed():
    digests = {seed: _patterns_digest(seed) for seed in ("1", "2", "3")}
    assert len(set(digests.values())) == 1, digests
