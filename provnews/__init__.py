"""provnews' operations: the `provnews` command and what it runs (up, serve, reindex, bench, kibana-setup).

It may import every other package; nothing imports it (`make lint` checks it).
"""
