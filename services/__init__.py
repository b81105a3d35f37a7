"""The services, one package per process: ingest, extract, indexer, query, alerts, feeds.

A service imports `common` and `schemas`, never another service (`make lint` checks it).
"""
