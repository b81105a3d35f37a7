"""Ingest service: takes articles by HTTP POST and publishes them to `articles.raw`."""
