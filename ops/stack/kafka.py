"""A single-broker Kafka 4 in KRaft mode, run from the Maven Central jars (ops/java/kafka)."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from ops.stack.component import Component
from ops.stack.process import StackError, pid_alive, port_open, read_pid, terminate

LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = WARN
"""



def new_cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding.

    One id in 64 would start with '-', which StorageTool's argument parser reads as an
    option; Kafka's own Uuid.randomUuid() draws again in that case, and so do we.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(random_bytes()).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id

class Kafka(Component):
    name = "kafka"
    start_timeout = 90.0

    @property
    def port(self) -> int:
        return self.config.kafka_port

    @property
    def pid_file(self) -> Path:
        return self.dir / "kafka.pid"

    @property
    def properties_file(self) -> Path:
        return self.dir / "server.properties"

    def missing_binaries(self) -> list[str]:
        missing = [] if shutil.which("java") else ["java"]
        if not any(self.config.kafka_lib_dir.glob("kafka_2.13-*.jar")):
            missing.append(f"Kafka jars in {self.config.kafka_lib_dir}")
        return missing

    def pid(self) -> int | None:
        pid = read_pid(self.pid_file)
        return pid if pid_alive(pid) else None

    def _java(self, main_class: str, *args: str, heap: str = "256m") -> list[str]:
        return [
            "java", f"-Xmx{heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            "-cp", f"{self.config.kafka_lib_dir}/*", main_class, *args,
        ]

    def _write_config(self) -> None:
        c = self.config
        self.properties_file.write_text("\n".join([
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers={c.host}:{c.kafka_controller_port}",
            f"listeners=PLAINTEXT://{c.host}:{c.kafka_port},CONTROLLER://{c.host}:{c.kafka_controller_port}",
            f"advertised.listeners=PLAINTEXT://{c.host}:{c.kafka_port},"
            f"CONTROLLER://{c.host}:{c.kafka_controller_port}",
            "inter.broker.listener.name=PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={self.dir / 'data'}",
            "num.partitions=1",
            # One broker: every internal topic has a single replica.
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=5",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            # Topics come from the registry in contracts/topics.py, never from a typo.
            "auto.create.topics.enable=false",
            "log.retention.hours=168",
            "",
        ]))
        (self.dir / "log4j2.properties").write_text(LOG4J2)

    def _format_storage(self) -> None:
        if (self.dir / "data" / "meta.properties").exists():
            return
        cluster_id = new_cluster_id()
        result = subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "--standalone",
                       "-t", cluster_id, "-c", str(self.properties_file)),
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise StackError(f"kafka: storage format failed:\n{result.stdout}{result.stderr}")

    def _launch(self) -> None:
        if port_open(self.config.host, self.config.kafka_controller_port):
            raise StackError(
                f"kafka: controller port {self.config.kafka_controller_port} is taken by "
                "a process this stack did not start"
            )
        self._write_config()
        self._format_storage()
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(
                self._java("kafka.Kafka", str(self.properties_file), heap="1g"),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")

    def ready(self) -> bool:
        if not port_open(self.config.host, self.port):
            return False
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.config.kafka_bootstrap, request_timeout_ms=3000,
                client_id="tiffin-stack-probe",
            )
        except KafkaError:
            return False
        try:
            admin.describe_cluster()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def stop(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        terminate(pid, timeout=60)
        self.pid_file.unlink(missing_ok=True)
        return True
