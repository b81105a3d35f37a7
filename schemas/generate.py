"""Generate the checked-in JSON Schema files from the event models (never edit those files by hand)."""
from __future__ import annotations

import json
from pathlib import Path

from schemas.events import EVENT_MODELS

SCHEMA_DIR = Path(__file__).resolve().parent


def schema_documents() -> dict[str, str]:
    """File name -> JSON text of each event type's schema."""
    out = {}
    for model in EVENT_MODELS:
        schema = model.model_json_schema(mode="serialization")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"urn:provnews:schema:{model.schema_name}", **schema}
        out[f"{model.schema_name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path = SCHEMA_DIR) -> list[Path]:
    written = []
    for name, text in schema_documents().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
