"""Start, watch and stop PyFlink jobs from the main environment (no pyflink import here).

A job runs as ``<streaming python> -m streaming.jobs.<job>`` with the repository root
on PYTHONPATH, in its own process group, with the Python driver's lines and the Flink
JVM's log4j output in one log file::

    from streaming.launcher import start_job, stop_job, wait_until_running

    proc = start_job("city_order_metrics", stack.env(), ["--starting-offsets", "latest"])
    try:
        job_id = wait_until_running(proc, timeout=120)
        ...
    finally:
        stop_job(proc)

``wait_until_running`` returns once Flink has completed the job's first checkpoint: by
then every task is running, the Kafka source has its partitions, and offsets are being
committed. It raises as soon as the process dies, with the end of the log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from streaming.config import JOB_SUBMITTED_LOG
from streaming.paths import LOG4J_CONSOLE_PROPERTIES, REPO_ROOT, STREAMING_PYTHON

# job name (as `tiffin stream <name>` says it) -> module run with `python -m`
JOBS: dict[str, str] = {
    "city_order_metrics": "streaming.jobs.city_order_metrics",
}

_SUBMITTED = re.compile(
    re.escape(JOB_SUBMITTED_LOG)
    .replace(re.escape("{name}"), r"(?P<name>\S+)")
    .replace(re.escape("{job_id}"), r"(?P<job_id>[0-9a-f]{32})")
)


class JobStartError(RuntimeError):
    """The job process exited, or did not become ready in time."""


class JobProcess(subprocess.Popen[bytes]):
    """A running job: a Popen that also knows its name and where it logs."""

    job_name: str
    log_path: Path
    log_offset: int  # where this run's lines start in log_path (the file is appended to)
    job_id: str | None = None


def job_log_path(job_name: str, stack_env: Mapping[str, str]) -> Path:
    """<TIFFIN_STACK_DIR>/logs/streaming-<job>.log (the stack's log folder)."""
    stack_dir = Path(stack_env.get("TIFFIN_STACK_DIR") or REPO_ROOT / ".stack")
    return stack_dir / "logs" / f"streaming-{job_name}.log"


def job_environment(
    stack_env: Mapping[str, str],
    *,
    python: Path = STREAMING_PYTHON,
    connector_jar: Path | None = None,
    log_dir: Path | None = None,
    base_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The child's environment: the caller's, the stack's, and the streaming venv in front."""
    env = dict(os.environ if base_env is None else base_env)
    env.update(stack_env)
    venv = python.parent.parent
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    # Job code is not installed in the streaming env: it runs from the repository.
    # The main env's own PYTHONPATH (if any) must not leak into the other interpreter.
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    # PyFlink's JVM gateway reads these: log4j to stdout (our log file), never site-packages.
    env["LOG4J_PROPERTIES"] = str(LOG4J_CONSOLE_PROPERTIES)
    if log_dir is not None:
        env["FLINK_LOG_DIR"] = str(log_dir)
    if connector_jar is not None:
        env["TIFFIN_FLINK_CONNECTOR_JAR"] = str(connector_jar)
    return env


def start_job(
    job_name: str,
    stack_env: Mapping[str, str],
    extra_args: Sequence[str] = (),
    *,
    log_path: Path | None = None,
    python: Path | None = None,
    connector_jar: Path | None = None,
) -> JobProcess:
    """Start a job in the streaming environment and return at once (see wait_until_running).

    stack_env is StackConfig.env() (TIFFIN_KAFKA_BOOTSTRAP, TIFFIN_STACK_DIR, ...);
    extra_args are the job's own flags (``python -m streaming.jobs.<job> --help``).
    """
    try:
        module = JOBS[job_name]
    except KeyError:
        raise ValueError(f"unknown streaming job {job_name!r}; known: {sorted(JOBS)}") from None
    python = python or STREAMING_PYTHON
    if not python.exists():
        raise FileNotFoundError(
            f"streaming interpreter {python} not found: run ops/bootstrap.sh (uv sync --project streaming)"
        )
    log_path = log_path or job_log_path(job_name, stack_env)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [str(python), "-m", module, *extra_args]
    env = job_environment(stack_env, python=python, connector_jar=connector_jar, log_dir=log_path.parent)
    with log_path.open("ab") as log:
        log_offset = log.tell()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        log.write(f"==== {started} starting {job_name}: {' '.join(command)}\n".encode())
        log.flush()
        proc = JobProcess(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop_job ends the JVM with it
        )
    proc.job_name = job_name
    proc.log_path = log_path
    proc.log_offset = log_offset
    return proc


def _read_from(path: Path, offset: int) -> bytes:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read()


def log_tail(proc: JobProcess, lines: int = 40) -> str:
    """The last lines this run wrote to its log."""
    try:
        text = _read_from(proc.log_path, proc.log_offset).decode("utf-8", errors="replace")
    except OSError as exc:
        return f"(log {proc.log_path} unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def wait_until_running(proc: JobProcess, timeout: float = 120.0, poll_interval: float = 0.25) -> str:
    """Block until the job has completed its first checkpoint; return the Flink job id.

    Raises JobStartError if the process exits first or the timeout passes.
    """
    deadline = time.monotonic() + timeout
    offset = proc.log_offset
    seen = b""
    job_id = proc.job_id
    checkpoint: re.Pattern[str] | None = None
    while True:
        try:
            chunk = _read_from(proc.log_path, offset)
        except FileNotFoundError:
            chunk = b""
        if chunk:
            offset += len(chunk)
            # keep an unfinished last line for the next round
            whole_lines, _, seen = (seen + chunk).rpartition(b"\n")
            complete = whole_lines.decode("utf-8", errors="replace")
            if job_id is None:
                match = _SUBMITTED.search(complete)
                if match:
                    job_id = proc.job_id = match.group("job_id")
            if job_id is not None:
                checkpoint = checkpoint or re.compile(rf"Completed checkpoint \d+ for job {job_id}")
                if checkpoint.search(complete):
                    return job_id
        code = proc.poll()
        if code is not None:
            raise JobStartError(
                f"streaming job {proc.job_name} exited with code {code} before it was running; "
                f"log {proc.log_path}:\n{log_tail(proc)}"
            )
        if time.monotonic() > deadline:
            state = "submitted, no checkpoint yet" if job_id else "not submitted yet"
            raise JobStartError(
                f"streaming job {proc.job_name} not running after {timeout:.0f} s ({state}); "
                f"log {proc.log_path}:\n{log_tail(proc)}"
            )
        time.sleep(poll_interval)


def _signal_group(pgid: int, signum: int) -> bool:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def _group_gone(pgid: int, timeout: float) -> bool:
    """Wait until no process (zombies included) is left in the group."""
    deadline = time.monotonic() + timeout
    while _signal_group(pgid, 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_job(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int | None:
    """Stop the job: SIGTERM to the driver (it cancels the Flink job and exits), then to
    its whole process group, then SIGKILL. Returns the driver's exit code. Safe to call twice.
    """
    own_group = isinstance(proc, JobProcess)  # started by start_job: pgid == pid
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout / 2)
        except subprocess.TimeoutExpired:
            if own_group:
                _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout / 4)
            except subprocess.TimeoutExpired:
                if own_group:
                    _signal_group(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
    # The JVM gateway is the driver's child in the same group: make sure it went too
    # (orphans are reaped by init, which can take a second or so).
    if own_group and not _group_gone(proc.pid, timeout / 4):
        _signal_group(proc.pid, signal.SIGKILL)
        _group_gone(proc.pid, 10.0)
    return proc.returncode
