"""Indexer service: projects `articles.extracted` into a searchable store (SQLite or Elasticsearch)."""
