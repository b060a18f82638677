"""streaming/launcher.py without Flink, on real child processes: readiness from the log,
failures, stopping a process group (what needs no process: tests/unit/streaming/)."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from streaming.config import JOB_SUBMITTED_LOG
from streaming.launcher import (
    JobProcess,
    JobStartError,
    start_job,
    stop_job,
    wait_until_running,
)
from tests.utils.processes import run_python

JOB_ID = "0123456789abcdef0123456789abcdef"
OTHER_JOB_ID = "f" * 32


def fake_job(tmp_path: Path, script: str) -> JobProcess:
    """A JobProcess running a Python snippet that writes to the log like a job would."""
    log_path = tmp_path / "job.log"
    log_path.write_bytes(b"an earlier run's line: Completed checkpoint 9 for job " + OTHER_JOB_ID.encode() + b"\n")
    with log_path.open("ab") as log:
        offset = log.tell()
        proc = JobProcess(
            [sys.executable, "-u", "-c", textwrap.dedent(script)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.job_name, proc.log_path, proc.log_offset = "fake", log_path, offset
    return proc


SUBMITTED = JOB_SUBMITTED_LOG.format(name="fake", job_id=JOB_ID)


def test_ready_once_the_submitted_job_completes_a_checkpoint(tmp_path: Path) -> None:
    proc = fake_job(
        tmp_path,
        f"""
        import time
        print("starting"); time.sleep(0.3)
        print("INFO Completed checkpoint 1 for job {OTHER_JOB_ID}")
        print("{SUBMITTED}"); time.sleep(0.3)
        print("INFO Completed checkpoint 1 for job {JOB_ID} (1 bytes)")
        time.sleep(60)
        """,
    )
    try:
        started = time.monotonic()
        assert wait_until_running(proc, timeout=20, poll_interval=0.05) == JOB_ID
        assert proc.job_id == JOB_ID
        assert time.monotonic() - started < 10
    finally:
        stop_job(proc, timeout=5)


def test_a_job_that_exits_fails_fast_with_its_log(tmp_path: Path) -> None:
    proc = fake_job(tmp_path, 'import sys; print("ModuleNotFoundError: boom"); sys.exit(3)')
    with pytest.raises(JobStartError, match="exited with code 3") as error:
        wait_until_running(proc, timeout=20, poll_interval=0.05)
    assert "ModuleNotFoundError: boom" in str(error.value)
    assert "earlier run" not in str(error.value)


def test_a_job_that_never_checkpoints_times_out(tmp_path: Path) -> None:
    proc = fake_job(tmp_path, f'import time; print("{SUBMITTED}"); time.sleep(60)')
    try:
        with pytest.raises(JobStartError, match="submitted, no checkpoint yet"):
            wait_until_running(proc, timeout=1.0, poll_interval=0.05)
    finally:
        stop_job(proc, timeout=5)


def test_stop_job_ends_the_whole_process_group(tmp_path: Path) -> None:
    # The driver ignores SIGTERM and has a child (as PyFlink's JVM gateway is).
    proc = fake_job(
        tmp_path,
        """
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        print("child", child.pid, flush=True)
        time.sleep(120)
        """,
    )
    deadline = time.monotonic() + 10
    while b"child" not in proc.log_path.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop_job(proc, timeout=4)
    assert proc.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    stop_job(proc, timeout=2)  # twice is harmless


def test_start_job_runs_the_module_and_reports_a_crash(tmp_path: Path) -> None:
    # The main environment has no pyflink, so the job module dies on import: a real
    # start_job -> crash -> JobStartError round trip, with the interpreter's message.
    proc = start_job(
        "city_order_metrics",
        {"TIFFIN_STACK_DIR": str(tmp_path), "TIFFIN_KAFKA_BOOTSTRAP": "127.0.0.1:1"},
        ["--window", "60s"],
        python=Path(sys.executable),
    )
    try:
        with pytest.raises(JobStartError) as error:
            wait_until_running(proc, timeout=30, poll_interval=0.05)
    finally:
        stop_job(proc, timeout=5)
    assert "pyflink" in str(error.value)
    log = proc.log_path.read_text()
    assert log.startswith("==== ")
    assert "-m streaming.jobs.city_order_metrics --window 60s" in log
    assert proc.log_path == tmp_path / "logs" / "streaming-city_order_metrics.log"


def test_the_launcher_does_not_import_pyflink() -> None:
    code = "import sys, streaming.launcher, streaming.config; sys.exit('pyflink' in sys.modules)"
    done = run_python("-c", code)
    assert done.returncode == 0, done.stderr
