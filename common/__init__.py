"""What every service may import: settings, Kafka, SQLite, HTTP and log helpers, the storage port and its
adapters, and the domain rules more than one service needs (the lexicon and text layer, reform mentions).

`common` imports only `schemas` and itself; the services and the operations (`provnews`) build on it.
"""
