"""The storage port (ports.py) and its adapters, shared by the indexer (which writes) and the query service (which reads)."""
