"""Composition root of the city-order-metrics job: orders topic -> per-city minute -> metrics.

Run it in the streaming environment with the repository root on PYTHONPATH (or through
streaming.launcher.start_job from the main environment)::

    PYTHONPATH=. streaming/.venv/bin/python -m streaming.jobs.city_order_metrics \\
        --bootstrap-servers 127.0.0.1:59092

Settings: streaming/config.py (flags and TIFFIN_CITY_ORDER_METRICS_* variables);
semantics: docs/streaming.md.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from pyflink.common import Configuration
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.table import StatementSet, StreamTableEnvironment

from streaming.config import (
    JOB_SUBMITTED_LOG,
    CityOrderMetricsSettings,
    parse_city_order_metrics_args,
)
from streaming.transforms.order_metrics_sql import statements

log = logging.getLogger("streaming.jobs.city_order_metrics")


def flink_configuration(settings: CityOrderMetricsSettings) -> Configuration:
    config = Configuration()
    if settings.connector_jar is not None:
        config.set_string("pipeline.jars", settings.connector_jar.resolve().as_uri())
    # Python workers (none in this job today; any future UDF) use this environment's
    # interpreter, not whatever `python` is first on PATH.
    config.set_string("python.executable", sys.executable)
    config.set_string("python.client.executable", sys.executable)
    config.set_string("parallelism.default", str(settings.parallelism))
    config.set_string("pipeline.name", settings.job_name)
    config.set_string("execution.checkpointing.interval", f"{settings.checkpoint_interval_ms} ms")
    # Window bounds are TIMESTAMP(3) in the session time zone: make that UTC everywhere.
    config.set_string("table.local-time-zone", "UTC")
    return config


def create_environment(settings: CityOrderMetricsSettings) -> StreamExecutionEnvironment:
    """A local (mini-cluster) streaming environment configured for this job."""
    return StreamExecutionEnvironment.get_execution_environment(flink_configuration(settings))


def build_pipeline(env: StreamExecutionEnvironment, settings: CityOrderMetricsSettings) -> StatementSet:
    """Source (orders topic) -> transform (window per city) -> sink (metrics topic), not yet run."""
    t_env = StreamTableEnvironment.create(env)
    t_env.get_config().set("table.local-time-zone", "UTC")
    t_env.get_config().set("pipeline.name", settings.job_name)
    *ddl, insert = statements(settings)
    for statement in ddl:
        t_env.execute_sql(statement)
    statement_set = t_env.create_statement_set()
    statement_set.add_insert_sql(insert)
    return statement_set


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stdout,
        format="%(asctime)s %(levelname)-5s %(name)s - %(message)s",
    )
    # Importing apache_beam (under pyflink) lowers the root logger to WARNING; keep ours.
    log.setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # stop_job: cancel the job, then exit
    settings, args = parse_city_order_metrics_args(argv)
    if settings.connector_jar is None or not settings.connector_jar.is_file():
        log.error(
            "Kafka connector jar not found: %s (run ops/bootstrap.sh, or pass --connector-jar)",
            settings.connector_jar,
        )
        return 2
    log.info("starting %s with %s", settings.job_name, settings)
    env = create_environment(settings)
    pipeline = build_pipeline(env, settings)
    if args.explain:
        sys.stdout.write(pipeline.explain() + "\n")
        return 0

    result = pipeline.execute()
    job_client = result.get_job_client()
    job_id = str(job_client.get_job_id()) if job_client is not None else "unknown"
    log.info(JOB_SUBMITTED_LOG.format(name=settings.job_name, job_id=job_id))
    try:
        result.wait()  # a streaming job runs until it fails or is cancelled
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping %s (job %s)", settings.job_name, job_id)
        if job_client is not None:
            try:
                job_client.cancel().result()
            except Exception:  # the JVM may already be going down with us
                log.debug("cancel failed", exc_info=True)
        return 0
    except Exception:
        log.exception("job %s (%s) failed", settings.job_name, job_id)
        return 1
    log.info("job %s (%s) finished", settings.job_name, job_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
