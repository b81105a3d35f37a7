"""Event contracts: pydantic models are the single source of truth; JSON Schemas are generated from them."""
