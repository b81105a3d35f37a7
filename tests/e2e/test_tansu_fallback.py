"""Where no Java 17 is found, `provnews up` falls back to Tansu, says in one line what that costs, and still works."""
from __future__ import annotations

import httpx

from provnews.local_kafka import java_problem
from tests.conftest import make_stack, wait_until


def fake_java(folder, version: str):
    folder.mkdir(parents=True, exist_ok=True)
    java = folder / "java"
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2019-01-15\' >&2\n')
    java.chmod(0o755)
    return folder


def test_java_older_than_17_is_named_as_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_java(tmp_path / "bin", "11.0.2")))
    assert java_problem() == "Java 11 found; Apache Kafka 4 needs Java 17 or later"
    monkeypatch.setenv("PATH", str(fake_java(tmp_path / "bin8", "1.8.0_292")))
    assert java_problem() == "Java 8 found; Apache Kafka 4 needs Java 17 or later"
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert java_problem() == "no `java` on PATH"


def test_without_java_17_up_runs_on_tansu_and_says_so(tmp_path):
    stack = make_stack(tmp_path)
    stack.env["PATH"] = f"{fake_java(tmp_path / 'bin', '11.0.2')}:{stack.env['PATH']}"
    stack.start("--no-seeds")
    try:
        said = [line for line in stack.output if line.startswith("broker: Tansu")]
        assert len(said) == 1, stack.output
        assert "Java 11 found" in said[0] and "memory" in said[0]
        response = httpx.post(f"{stack.url('ingest')}/v1/articles", timeout=30,
                              json={"text": "Tỉnh Bắc Giang giảm 8 phòng, ban và tinh giản 60 biên chế."})
        assert response.status_code == 202, response.text
        article_id = response.json()["id"]
        wait_until(lambda: httpx.get(f"{stack.url('query')}/v1/articles/{article_id}", timeout=5).status_code == 200,
                   timeout=120, message="indexed on Tansu", explain=lambda: stack.log_tail("extract", "indexer"))
    finally:
        stack.stop()
