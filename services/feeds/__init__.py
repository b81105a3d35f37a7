"""The feeds service: polls RSS/Atom feeds and ingests each new item's page."""
