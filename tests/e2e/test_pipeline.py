"""HTTP in, search out, on a real broker with every service running as `provnews up` runs them."""
from __future__ import annotations

import json

import httpx

from tests.conftest import SEEDS, search, wait_until
from tests.kafka_helpers import produce, read_topic


def post(stack, body: dict) -> httpx.Response:
    return httpx.post(f"{stack.url('ingest')}/v1/articles", json=body, timeout=30)


def test_seed_articles_are_searchable_once_each(shared_stack):
    ids = {}
    for path in sorted(SEEDS.glob("*.txt")):
        response = post(shared_stack, {"text": path.read_text(encoding="utf-8")})
        assert response.status_code == 202, response.text
        ids[path.name] = response.json()["id"]
    assert len(set(ids.values())) == 5
    query = shared_stack.url("query")
    for name, article_id in ids.items():
        wait_until(lambda: httpx.get(f"{query}/v1/articles/{article_id}").status_code == 200, message=f"{name} indexed")

    everything = search(query, size=50)
    assert sorted(h["id"] for h in everything["hits"]) == sorted(ids.values())  # exactly once each

    folded = search(query, q="tinh gian bien che")
    assert folded["total"] >= 1
    assert all(h["id"] in ids.values() for h in folded["hits"])
    assert any("<mark>giản</mark>" in h["snippet"] or "<mark>biên</mark>" in h["snippet"] for h in folded["hits"])
    assert search(query, q="tinh giản biên chế")["total"] == folded["total"]


def test_reposting_an_article_changes_nothing(shared_stack):
    text = "Tỉnh Hà Giang giảm 12 phòng, ban, chi cục sau khi sắp xếp tổ chức bộ máy. " * 3
    first = post(shared_stack, {"text": text, "url": "https://baohagiang.vn/a/1?utm_source=x"})
    query = shared_stack.url("query")
    article_id = first.json()["id"]
    wait_until(lambda: httpx.get(f"{query}/v1/articles/{article_id}").status_code == 200, message="indexed")
    before = httpx.get(f"{query}/v1/stats").json()["articles"]

    second = post(shared_stack, {"text": text, "url": "https://www.baohagiang.vn/a/1"})
    assert second.status_code == 202 and second.json()["id"] == article_id

    marker = post(shared_stack, {"text": "Một bài khác hoàn toàn về cải cách hành chính ở xã."}).json()["id"]
    wait_until(lambda: httpx.get(f"{query}/v1/articles/{marker}").status_code == 200, message="marker indexed")
    assert httpx.get(f"{query}/v1/stats").json()["articles"] == before + 1
    assert [h["id"] for h in search(query, q="Hà Giang")["hits"]].count(article_id) == 1


def test_poison_message_goes_to_the_dlq_and_the_stream_goes_on(shared_stack):
    settings = shared_stack.settings()
    poison = b"\xff\xfe this is not an event"
    produce(shared_stack.bootstrap, settings.topic_raw, poison, key=b"poison")

    response = post(shared_stack, {"text": "Sau sáp nhập, huyện giảm 5 đơn vị sự nghiệp công lập."})
    article_id = response.json()["id"]
    query = shared_stack.url("query")
    wait_until(lambda: httpx.get(f"{query}/v1/articles/{article_id}").status_code == 200, message="next article indexed")

    letters = read_topic(shared_stack.bootstrap, settings.topic_dlq,
                         want=lambda msgs: any(m.key == b"poison" for m in msgs), timeout=10)
    letter = next(json.loads(m.value) for m in letters if m.key == b"poison")
    assert letter["type"] == "org.provnews.article.deadlettered.v1"
    assert letter["data"]["stage"] == "extract"
    assert letter["data"]["error"] == "undecodable_event"
    assert letter["data"]["original_topic"] == settings.topic_raw
    import base64

    assert base64.urlsafe_b64decode(letter["data"]["original"]) == poison  # schema: format base64url


def test_events_carry_cloudevents_envelopes(shared_stack):
    settings = shared_stack.settings()
    article_id = post(shared_stack, {"text": "Tỉnh Nghệ An giảm 30 đầu mối sau sắp xếp tổ chức bộ máy."}).json()["id"]
    extracted = read_topic(shared_stack.bootstrap, settings.topic_extracted,
                           want=lambda msgs: any(m.key == article_id.encode() for m in msgs), timeout=15)
    event = next(json.loads(m.value) for m in extracted if m.key == article_id.encode())
    assert event["specversion"] == "1.0"
    assert event["type"] == "org.provnews.article.extracted.v1"
    assert event["subject"] == article_id
    assert {"id", "source", "time", "dataschema", "data"} <= event.keys()
    assert event["data"]["extraction"]["clean_text"]


def test_ingest_command_posts_a_folder_and_summarises(shared_stack, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Thành phố Cần Thơ giảm 14 đầu mối sau khi sắp xếp bộ máy.", encoding="utf-8")
    (folder / "b.json").write_text(json.dumps([
        {"text": "Tỉnh Sóc Trăng sáp nhập 40 ấp, khóm.", "url": "https://baosoctrang.vn/x"},
        {"text": ""},
    ]), encoding="utf-8")
    (folder / "c.ndjson").write_text(json.dumps({"text": "Hậu Giang giảm 9 phòng chuyên môn."}) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "provnews.cli", "ingest", str(folder), "--url", shared_stack.url("ingest")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "accepted 3, rejected 1" in result.stdout
    assert f"rejected {folder / 'b.json'}[1]: 422" in result.stderr
    query = shared_stack.url("query")
    wait_until(lambda: search(query, q="soc trang")["total"] == 1, message="posted folder searchable")


def test_ingest_command_reports_a_missing_path(shared_stack):
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "provnews.cli", "ingest", "/nonexistent/folder"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no such file or folder: /nonexistent/folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_republished_story_shares_the_story_id(shared_stack):
    body = (SEEDS / "001_cd4382b165326b66.txt").read_text(encoding="utf-8")
    original = post(shared_stack, {"text": body, "url": "https://baoquangnam.vn/a/1"}).json()["id"]
    republished_text = ("TRANG CHỦ | THỜI SỰ | CHÍNH TRỊ\n\n" + body.replace("Tin, ảnh: Phan Tân", "Theo Báo Quảng Nam")
                        .replace("Đến nay, toàn tỉnh", "Tính đến nay, toàn tỉnh") + "\n\nBình luận (0)\nChia sẻ")
    republished = post(shared_stack, {"text": republished_text, "url": "https://other-outlet.vn/b/2"}).json()["id"]
    unrelated = post(shared_stack, {"text": (SEEDS / "004_1a00409db1d51469.txt").read_text(encoding="utf-8"),
                                    "url": "https://baoquangnam.vn/a/3"}).json()["id"]
    assert len({original, republished, unrelated}) == 3
    query = shared_stack.url("query")
    for article_id in (original, republished, unrelated):
        wait_until(lambda: httpx.get(f"{query}/v1/articles/{article_id}").status_code == 200, message="indexed")
    docs = {i: httpx.get(f"{query}/v1/articles/{i}").json() for i in (original, republished, unrelated)}
    assert docs[republished]["story_id"] == docs[original]["story_id"]
    assert docs[unrelated]["story_id"] != docs[original]["story_id"]
    assert republished in [d["id"] for d in docs[original]["duplicates"]]
