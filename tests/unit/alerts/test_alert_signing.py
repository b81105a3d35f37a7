"""Webhook signatures: HMAC-SHA256 over "t.body", and stale timestamps refused."""
from __future__ import annotations

import hashlib
import hmac

from services.alerts.signing import new_secret, signature_header, verify

BODY = b'{"id":"d1"}'


def test_the_header_is_the_documented_hmac():
    secret = "whsec_test"
    header = signature_header(secret, 1_700_000_000, BODY)
    expected = hmac.new(secret.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_a_receiver_verifies_and_refuses_tampering_and_staleness():
    secret = new_secret()
    header = signature_header(secret, 1000, BODY)
    assert verify(header, BODY, secret, now=1000)
    assert verify(header, BODY, secret, now=1299)
    assert not verify(header, BODY, secret, now=1301)  # older than five minutes: a replay
    assert not verify(header, BODY + b" ", secret, now=1000)
    assert not verify(header, BODY, new_secret(), now=1000)
    assert not verify(header.replace("t=1000", "t=1001"), BODY, secret, now=1000)
    assert not verify("v1=abc", BODY, secret, now=1000)
    assert not verify("", BODY, secret, now=1000)


def test_secrets_are_distinct_and_long():
    assert len({new_secret() for _ in range(10)}) == 10
    assert len(new_secret()) > 40
