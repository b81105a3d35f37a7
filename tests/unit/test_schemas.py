"""The checked-in JSON Schemas are exactly what the event models generate."""
from __future__ import annotations

import json

import jsonschema
import pytest

from schemas.events import EVENT_MODELS, ArticleReceived, ReceivedArticle
from schemas.generate import SCHEMA_DIR, schema_documents


@pytest.mark.parametrize("name,text", sorted(schema_documents().items()))
def test_checked_in_schema_matches_its_model(name, text):
    path = SCHEMA_DIR / name
    assert path.exists(), f"{name} is missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == text, f"{name} differs from its model: run `make schemas`"


def test_every_event_type_is_versioned_and_has_a_schema_file():
    names = {p.name for p in SCHEMA_DIR.glob("*.schema.json")}
    for model in EVENT_MODELS:
        assert model.event_type.endswith(".v1")
        assert f"{model.schema_name}.schema.json" in names


def test_an_event_validates_against_its_checked_in_schema():
    from datetime import UTC, datetime

    event = ArticleReceived.wrap(
        ReceivedArticle(article_id="a1", text="Giảm 3 đầu mối.", received_at=datetime.now(UTC)),
        subject="a1", event_id="e1",
    )
    schema = json.loads((SCHEMA_DIR / "article.received.v1.schema.json").read_text())
    jsonschema.validate(json.loads(event.to_bytes()), schema)
    broken = json.loads(event.to_bytes())
    del broken["data"]["article_id"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_consumers_ignore_unknown_fields():
    from datetime import UTC, datetime

    event = ArticleReceived.wrap(ReceivedArticle(article_id="a1", text="x", received_at=datetime.now(UTC)),
                                 subject="a1", event_id="e1")
    data = json.loads(event.to_bytes())
    data["data"]["added_in_a_later_version"] = 1
    data["traceparent"] = "00-abc"
    assert ArticleReceived.model_validate(data).data.article_id == "a1"
