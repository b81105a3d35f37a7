"""Webhook signatures: `X-Provnews-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.

The timestamp is signed with the body so a captured request cannot be replayed later: receivers
reject signatures older than a few minutes. Pure functions; the README shows a receiver's side.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Provnews-Signature"
DEFAULT_TOLERANCE_S = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(header: str, body: bytes, secret: str, *, now: float, tolerance_s: float = DEFAULT_TOLERANCE_S) -> bool:
    """True when some v1 signature in the header is right and its timestamp within the tolerance of now."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return any(k.strip() == "v1" and hmac.compare_digest(v.strip(), expected) for k, v in parts)
