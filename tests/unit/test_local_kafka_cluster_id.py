"""The local node's cluster id: made once, kept, and never one kafka-storage would read as an option."""
from __future__ import annotations

import uuid

from common.settings import Settings
from provnews import local_kafka
from provnews.local_kafka import LocalKafka


def test_a_cluster_id_never_starts_with_a_dash_and_is_kept(tmp_path, monkeypatch):
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(int=1)])  # the first encodes as "-AAA…"
    monkeypatch.setattr(local_kafka.uuid, "uuid4", lambda: next(drawn))
    node = LocalKafka(Settings(data_dir=tmp_path), classpath="")

    cid = node.cluster_id()
    assert not cid.startswith("-") and cid == "AAAAAAAAAAAAAAAAAAAAAQ"
    assert node.cluster_id() == cid and (tmp_path / "kafka" / "cluster.id").read_text().strip() == cid
