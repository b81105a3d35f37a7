"""One place for configuration: environment variables with the PROVNEWS_ prefix, validated at start-up."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# An extracted event holds the article twice (raw and cleaned) and findings bounded by the engine; past
# this many times the article's size it is dead-lettered as too large rather than published.
EXTRACTED_EVENT_GROWTH = 4
EVENT_OVERHEAD_BYTES = 64 * 1024


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROVNEWS_", env_file=".env", extra="ignore")

    # Where the embedded profile keeps its SQLite store and logs.
    data_dir: Path = Path(".provnews")
    host: str = "127.0.0.1"
    ingest_port: int = 8000
    query_port: int = 8001
    extract_port: int = 8002
    indexer_port: int = 8003
    broker_port: int = 9092
    listen_fd: int | None = Field(default=None, description="A listening socket the service inherits (`provnews "
                                  "up` binds each service's port itself and passes it on): the service serves on "
                                  "it instead of binding host and its port.")
    public_url: str | None = Field(default=None, description="How users reach the query API, for links.")

    # Kafka. `embedded_broker` makes `provnews up` start a local broker on broker_port: Apache Kafka (one
    # KRaft node, its log under data_dir/kafka) where Java 17 is found, else Tansu, which keeps events in memory.
    kafka_bootstrap: str = Field(default="", description="host:port of the brokers; default: the local broker "
                                 "at host and broker_port.")
    embedded_broker: bool = True
    local_broker: Literal["auto", "kafka", "tansu"] = "auto"
    kafka_controller_port: int = 9093
    kafka_cache_dir: Path = Field(default=Path.home() / ".cache" / "provnews" / "kafka",
                                  description="Where the resolved classpath of the local Kafka is kept.")
    kafka_heap: str = "1g"
    kafka_heap_min: str = "256m"
    # The idempotent producer (no duplicates from a producer's own retries). Tansu rejects it: `provnews up`
    # turns it off for its children when it falls back to Tansu.
    kafka_idempotence: bool = True
    # Partitions bound how many consumers of a group share the work: enough for the extract workers of a
    # few machines, and a multiple of 1, 2, 3 and 6 workers so each gets an equal share.
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication: int = 1
    # The topics are the record that reindex replays: kept forever unless a user sets a limit (-1: none).
    topic_retention_ms: int = -1
    topic_retention_bytes: int = -1
    topic_raw: str = "articles.raw"
    topic_extracted: str = "articles.extracted"
    topic_mentions: str = "reform.mentions"
    topic_dlq: str = "articles.dlq"
    publish_timeout_s: float = 10.0
    # How long a worker retries a send that fails in a way that can pass (broker away, leader moving) before
    # it gives up and exits, so that the supervisor restarts it and the message is read again.
    publish_retry_s: float = Field(default=120.0, gt=0)
    # Extract processes `provnews up` runs, one consumer group: by default one per core this process may use.
    extract_workers: int = Field(default_factory=lambda: _cores(), ge=1)
    # Articles one extract worker has in flight at most (the engine on the next ones while earlier ones are
    # published); under low load it holds one.
    extract_window: int = Field(default=8, ge=1)
    # How long a producer waits for more records before it sends a batch. 0: a record goes at once, and
    # batches still form under load from what accumulates while the previous request is in flight.
    producer_linger_ms: int = Field(default=0, ge=0)
    # Longest the engine may take on one article; past it the article is dead-lettered and the stream goes on.
    extract_budget_s: float = Field(default=30.0, gt=0)

    # Storage adapter for the indexer and the query API.
    storage: Literal["sqlite", "elasticsearch"] = "sqlite"
    sqlite_path: Path | None = None
    es_url: str = "http://127.0.0.1:9200"
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_ca_cert: Path | None = None
    es_index_prefix: str = "provnews"

    # Writers' API keys for ingest, writer -> key; with ingest_require_keys (on in docker-compose.yml) every
    # POST needs one. `provnews ingest` sends ingest_api_key.
    ingest_api_keys: dict[str, SecretStr] = Field(default={},
                                                  description='Writer -> API key, e.g. {"crawler": "…"}.')
    ingest_require_keys: bool = False
    ingest_api_key: SecretStr | None = Field(default=None, description="The key `provnews ingest` sends.")
    # Wrong API keys (ingest and alerts): past this many from one address within the window, 429.
    auth_max_failures: int = Field(default=10, ge=1)
    auth_failure_window_s: float = Field(default=60.0, gt=0)

    # The one size setting: ingest's largest article. Every Kafka limit (producers' max request size, the
    # topics' max.message.bytes, the local broker's message.max.bytes, consumers' fetch sizes) derives from it.
    max_article_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_batch_bytes: int = 32 * 1024 * 1024
    ingest_max_in_flight: int = Field(default=500, ge=1, description="A batch's sends awaiting the broker at once.")
    indexer_batch_size: int = 200
    export_max_rows: int = Field(default=10_000, ge=1, description="Rows in one CSV or NDJSON export at most "
                                 "(Elasticsearch pages through 10,000 hits of a search by default).")
    scoreboard_max_metrics: int = Field(default=20_000, ge=1, description="Metrics one scoreboard reads at most "
                                        "(beyond, it says it is partial).")
    # The query API: a read running longer is stopped and answered 503; reads run side by side on this
    # many connections.
    query_timeout_s: float = Field(default=10.0, gt=0)
    query_readers: int = Field(default=4, ge=1, le=64)
    log_format: Literal["json", "console"] = "json"
    log_level: str = "info"

    @model_validator(mode="after")
    def _local_bootstrap(self) -> Settings:
        if not self.kafka_bootstrap:  # the commands find the broker `provnews up` started, on its port
            host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
            object.__setattr__(self, "kafka_bootstrap", f"{host}:{self.broker_port}")
        return self

    @property
    def max_event_bytes(self) -> int:
        """The largest event the pipeline may publish: an extracted article carries the raw and the cleaned text
        (each up to the article's size) plus its findings, whose evidence are offsets into the cleaned text."""
        return self.max_article_bytes * EXTRACTED_EVENT_GROWTH + EVENT_OVERHEAD_BYTES

    @property
    def max_message_bytes(self) -> int:
        """Topics' max.message.bytes and the broker's message.max.bytes: one event plus the record batch framing."""
        return self.max_event_bytes + 64 * 1024

    @property
    def sqlite_file(self) -> Path:
        return self.sqlite_path or self.data_dir / "provnews.sqlite3"

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    # Elasticsearch and Kibana (the docker compose profile). Templates and saved objects live in deploy/.
    es_request_timeout_s: float = Field(default=30.0, gt=0)
    es_bulk_chunk_size: int = Field(default=500, ge=1, description="Documents per bulk request at most.")
    es_bulk_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Bytes per bulk request at most.")
    kibana_url: str = "http://127.0.0.1:5601"
    kibana_ca_cert: Path | None = Field(
        default=None, description="The CA that signed Kibana's certificate, when not a public one "
                                  "(Elasticsearch's is es_ca_cert).")
    deploy_dir: Path | None = Field(default=None, description="The deploy/ folder, when not next to the source.")

    # Alerts: webhook subscriptions to reform mentions (services/alerts).
    alerts_port: int = 8004
    alerts_db_path: Path | None = None
    alerts_api_keys: dict[str, SecretStr] = Field(
        default={}, description='Owner -> API key, e.g. {"newsroom": "…"}; a key sees only its own subscriptions.')
    alerts_webhook_allowlist: list[str] = Field(
        default=[], description="Hosts, addresses or CIDR networks a webhook may use plain HTTP or private addresses for.")
    alerts_max_subscriptions_per_key: int = Field(default=100, ge=1)
    alerts_max_attempts: int = Field(default=8, ge=1)
    alerts_max_age_s: float = Field(default=24 * 3600.0, gt=0)
    alerts_backoff_base_s: float = Field(default=2.0, gt=0)
    alerts_backoff_max_s: float = Field(default=600.0, gt=0)
    alerts_delivery_timeout_s: float = Field(default=10.0, gt=0)
    alerts_delivery_concurrency: int = Field(default=16, ge=1)
    alerts_per_subscription_concurrency: int = Field(default=2, ge=1)
    alerts_poll_interval_s: float = Field(default=1.0, gt=0)
    alerts_digest_interval_s: int = Field(default=3600, ge=1)
    alerts_digest_min_interval_s: int = Field(default=60, ge=1)

    # Feeds: RSS/Atom feeds polled, each new item's page ingested as HTML (services/feeds, `provnews follow`).
    feeds_file: Path = Field(default=Path("feeds.toml"), description="The list of feeds (TOML); `provnews up` "
                             "runs the feeds service when it exists.")
    feeds_port: int = 8005
    feeds_db_path: Path | None = None
    feeds_allowlist: list[str] = Field(
        default=[], description="Hosts, addresses or CIDR networks feeds and pages may be fetched from although "
                                "private or loopback (the webhook rules otherwise).")
    feeds_timeout_s: float = Field(default=20.0, gt=0, description="One fetch of a feed or a page, redirects included.")
    feeds_max_feed_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    feeds_backoff_max_s: float = Field(default=6 * 3600.0, gt=0, description="Longest wait after failed polls.")
    feeds_max_item_attempts: int = Field(default=5, ge=1, description="Tries to fetch an item's page before giving up.")
    feeds_ingest_url: str | None = Field(default=None, description="Where the feeds service posts pages "
                                         "(default: host and ingest_port).")

    @property
    def feeds_db_file(self) -> Path:
        return self.feeds_db_path or self.data_dir / "feeds.sqlite3"

    alerts_url: str | None = Field(
        default=None, description="Where the query API reaches the alerts service for the explorer's alert form "
                                  "(default: host and alerts_port; in compose, http://alerts:8004).")

    @field_validator("alerts_api_keys", "ingest_api_keys", mode="before")
    @classmethod
    def _json_keys(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value  # as the environment gives them

    @field_validator("ingest_api_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def alerts_db_file(self) -> Path:
        return self.alerts_db_path or self.data_dir / "alerts.sqlite3"


@lru_cache
def get_settings() -> Settings:
    return Settings()
