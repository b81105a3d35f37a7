"""The Vietnamese extraction engine: pure functions from article text to an `Extraction`.

No Kafka, no I/O: the stream and the `provnews extract` command both call `extract()`.
"""
from services.extract.engine.pipeline import ENGINE_VERSION, extract, to_contract

__all__ = ["ENGINE_VERSION", "extract", "to_contract"]
