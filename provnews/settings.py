"""One place for configuration: environment variables with the PROVNEWS_ prefix, validated at start-up."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    public_url: str | None = Field(default=None, description="How users reach the query API, for links.")

    # Kafka. `embedded_broker` makes `provnews up` start a Tansu broker on broker_port.
    kafka_bootstrap: str = "127.0.0.1:9092"
    embedded_broker: bool = True
    kafka_idempotence: bool = False  # Tansu rejects InitProducerId; turn on against a real Kafka cluster.
    topic_partitions: int = 3
    topic_replication: int = 1
    topic_raw: str = "articles.raw"
    topic_extracted: str = "articles.extracted"
    topic_mentions: str = "reform.mentions"
    topic_dlq: str = "articles.dlq"
    publish_timeout_s: float = 10.0

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

    max_article_bytes: int = 1024 * 1024
    max_batch_bytes: int = 32 * 1024 * 1024
    ingest_max_in_flight: int = Field(default=500, ge=1, description="A batch's sends awaiting the broker at once.")
    indexer_batch_size: int = 200
    # The query API: a read running longer is stopped and answered 503; reads run side by side on this
    # many connections.
    query_timeout_s: float = Field(default=10.0, gt=0)
    query_readers: int = Field(default=4, ge=1, le=64)
    log_format: Literal["json", "console"] = "json"
    log_level: str = "info"

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
