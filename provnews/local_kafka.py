"""The local Apache Kafka broker: one KRaft node (broker and controller) from the official artifacts.

Maven resolves `deploy/kafka/pom.xml` once into its local repository and writes the classpath; later
starts read that classpath and work offline. The node's storage is formatted once, with a cluster id
kept in the data dir, so the event log survives restarts of `provnews up`. Where no Java 17 is found,
`provnews up` falls back to Tansu (memory only) and says what that costs.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings

KAFKA_DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "kafka"
MIN_JAVA = 17


class LocalKafkaUnavailable(Exception):
    """Java or the Kafka artifacts cannot be had here; the reason says which."""


def deploy_dir(settings: Settings) -> Path:
    return (settings.deploy_dir / "kafka") if settings.deploy_dir else KAFKA_DEPLOY


def kafka_version(settings: Settings) -> str:
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", (deploy_dir(settings) / "pom.xml").read_text())
    if not match:
        raise LocalKafkaUnavailable("deploy/kafka/pom.xml names no kafka.version")
    return match.group(1)


def java_problem() -> str | None:
    """Why the local Kafka cannot run on this machine's Java, or None when it can."""
    java = shutil.which("java")
    if not java:
        return "no `java` on PATH"
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`java -version` failed: {exc}"
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return f"cannot read the Java version from {out.strip()[:120]!r}"
    major = int(match.group(1)) if match.group(1) != "1" else int(match.group(2) or 0)
    if major < MIN_JAVA:
        return f"Java {major} found; Apache Kafka 4 needs Java {MIN_JAVA} or later"
    return None


def _classpath_file(settings: Settings) -> Path:
    digest = hashlib.sha256((deploy_dir(settings) / "pom.xml").read_bytes()).hexdigest()[:16]
    return settings.kafka_cache_dir / f"classpath-{digest}.txt"


def cached_classpath(settings: Settings) -> str | None:
    """The classpath resolved earlier, if every jar on it is still there."""
    path = _classpath_file(settings)
    if not path.exists():
        return None
    classpath = path.read_text().strip()
    jars = [Path(p) for p in classpath.split(":") if p]
    return classpath if jars and all(j.is_file() for j in jars) else None


def resolve_classpath(settings: Settings, out=print) -> str:
    """The broker's classpath: from the cache, else resolved by Maven (first start only), with progress."""
    if classpath := cached_classpath(settings):
        return classpath
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalKafkaUnavailable("Apache Kafka is not fetched yet and there is no `mvn` on PATH to fetch it")
    version = kafka_version(settings)
    target = _classpath_file(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    out(f"kafka: fetching Apache Kafka {version} from Maven Central (first start only, about 45 MB) …")
    argv = [mvn, "-B", "-f", str(deploy_dir(settings) / "pom.xml"), "dependency:build-classpath",
            f"-Dmdep.outputFile={target}", "-Dmdep.pathSeparator=:"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    fetched, tail = 0, []
    assert proc.stdout is not None
    for line in proc.stdout:
        tail = (tail + [line.rstrip()])[-20:]
        if line.startswith("Downloaded from"):
            fetched += 1
            if fetched % 10 == 0:
                out(f"kafka: {fetched} files fetched …")
    if proc.wait() != 0 or not target.exists():
        target.unlink(missing_ok=True)
        raise LocalKafkaUnavailable("Maven could not resolve Apache Kafka:\n" + "\n".join(tail))
    out(f"kafka: Apache Kafka {version} ready ({fetched} files fetched)")
    classpath = cached_classpath(settings)
    if not classpath:
        raise LocalKafkaUnavailable(f"Maven wrote {target} but a jar on it is missing")
    return classpath


# What the node writes to its log once it serves, and when a port it was to listen on is another process's.
STARTED_LINE = "Kafka Server started"
PORT_TAKEN_LINE = "Address already in use"


@dataclass(frozen=True)
class LocalKafka:
    """One KRaft node on the settings' host, broker port and controller port, its log under the data dir."""

    settings: Settings
    classpath: str

    @property
    def home(self) -> Path:
        return self.settings.data_dir / "kafka"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @property
    def properties_file(self) -> Path:
        return self.home / "server.properties"

    def server_properties(self) -> dict[str, str]:
        s = self.settings
        host = s.host
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{host}:{s.kafka_controller_port}",
            "listeners": f"PLAINTEXT://{host}:{s.broker_port},CONTROLLER://{host}:{s.kafka_controller_port}",
            "advertised.listeners": f"PLAINTEXT://{host}:{s.broker_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.log_dir.resolve()),
            # One node: every internal topic has one replica, and one in-sync replica is enough.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "min.insync.replicas": "1",
            "default.replication.factor": "1",
            "group.initial.rebalance.delay.ms": "0",
            # Topics are created by `provnews setup`/`up` with explicit configs, never by a client's metadata request.
            "auto.create.topics.enable": "false",
            "num.partitions": str(s.topic_partitions),
            "message.max.bytes": str(s.max_message_bytes),
            # The log is the record: no broker-wide deletion by age or size unless the settings ask for one.
            "log.retention.ms": str(s.topic_retention_ms),
            "log.retention.bytes": str(s.topic_retention_bytes),
        }

    def write_config(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        lines = [f"{k}={v}" for k, v in self.server_properties().items()]
        self.properties_file.write_text("# Written by provnews on every start; edit the settings, not this file.\n"
                                        + "\n".join(lines) + "\n")

    def cluster_id(self) -> str:
        """The cluster id, made once and kept in the data dir (Kafka's base64 form of a UUID)."""
        path = self.home / "cluster.id"
        if path.exists():
            return path.read_text().strip()
        import base64

        cid = "-"
        while cid.startswith("-"):  # as Kafka's own Uuid.randomUuid(): a leading "-" reads as an option to its tools
            cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        self.home.mkdir(parents=True, exist_ok=True)
        path.write_text(cid + "\n")
        return cid

    def java_argv(self, main: str, *args: str) -> list[str]:
        log4j = deploy_dir(self.settings) / "log4j2.yaml"
        return [shutil.which("java") or "java", f"-Xmx{self.settings.kafka_heap}", f"-Xms{self.settings.kafka_heap_min}",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={self.home / 'logs'}",
                "-cp", self.classpath, main, *args]

    def format_storage(self) -> bool:
        """Format the log dir once (a no-op when it already holds this cluster); True when it formatted."""
        if (self.log_dir / "meta.properties").exists():
            return False
        self.write_config()
        result = subprocess.run(
            self.java_argv("kafka.tools.StorageTool", "format", "--cluster-id", self.cluster_id(),
                           "--config", str(self.properties_file), "--ignore-formatted"),
            capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise LocalKafkaUnavailable(f"formatting the Kafka log dir failed: {(result.stdout + result.stderr)[-2000:]}")
        return True

    def broker_argv(self) -> list[str]:
        return self.java_argv("kafka.Kafka", str(self.properties_file))

    def prepare(self) -> list[str]:
        """Write the config, format once, and return the command that runs the node."""
        self.write_config()
        self.format_storage()
        return self.broker_argv()


def local_kafka(settings: Settings, out=print) -> LocalKafka:
    """The local node for these settings, fetching the artifacts first if they are not here yet."""
    if problem := java_problem():
        raise LocalKafkaUnavailable(problem)
    return LocalKafka(settings, resolve_classpath(settings, out))


def main() -> None:  # pragma: no cover - `python -m provnews.local_kafka`: fetch the artifacts ahead of time
    from common.settings import get_settings

    try:
        local_kafka(get_settings())
    except LocalKafkaUnavailable as exc:
        print(f"kafka: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":  # pragma: no cover
    main()
