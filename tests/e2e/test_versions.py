"""Posting an article again with other text, through the whole pipeline: a second version, not an overwrite."""
from __future__ import annotations

import httpx

from tests.conftest import wait_until


def test_a_re_post_with_other_text_is_a_new_version(stack):
    ingest, query = stack.url("ingest"), stack.url("query")
    first = httpx.post(f"{ingest}/v1/articles", timeout=30, json={
        "text": "Tỉnh Bắc Kạn sáp nhập 122 thôn, tổ dân phố.", "url": "https://baobackan.vn/tin/sap-nhap-thon"}).json()["id"]

    def versions():
        response = httpx.get(f"{query}/v1/articles/{first}", timeout=10)
        return response.json()["versions"] if response.status_code == 200 else []

    wait_until(lambda: len(versions()) == 1, timeout=60, message="the first version indexed",
               explain=lambda: stack.log_tail("indexer"))
    second = httpx.post(f"{ingest}/v1/articles", timeout=30, json={  # the same URL, tracking parameter and all
        "text": "Tỉnh Bắc Kạn sáp nhập 130 thôn, tổ dân phố.", "title": "Đính chính",
        "url": "https://baobackan.vn/tin/sap-nhap-thon?utm_source=zalo"}).json()["id"]
    assert second == first
    wait_until(lambda: len(versions()) == 2, timeout=60, message="the second version indexed",
               explain=lambda: stack.log_tail("indexer"))
    article = httpx.get(f"{query}/v1/articles/{first}").json()
    assert "130 thôn" in article["raw_text"]
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert article["versions"][0]["text_sha256"] != article["versions"][1]["text_sha256"]
