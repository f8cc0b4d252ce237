"""Real Redis and Dask servers for the distributed tests.

A fixture uses the server that the environment names (``FPP_REDIS_URL``, ``FPP_DASK_SCHEDULER``,
as ``.ci/run`` exports them). When the variable is unset, it starts its own server on 127.0.0.1
if the program is installed (Debian's ``redis-server``, the ``dask`` command of this Python),
and skips with the reason otherwise. A named server that does not respond fails the test, since
the environment promised it. Every server a fixture starts listens on 127.0.0.1 only and is
stopped at the end.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Longest wait for a server to start or respond [s].
START_TIMEOUT_S = 60.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "distributed: needs Dask and, for the shared database, a Redis server")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop a process this module started: SIGTERM, then SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# -- Redis ----------------------------------------------------------------------------------------


def _redis_responds(url: str, timeout_s: float) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return bool(Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
        except RedisError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running Redis server: ``FPP_REDIS_URL``, or one started on 127.0.0.1."""
    pytest.importorskip("redis", reason="the redis package is not installed: pip install -e '.[test]'")
    url = os.environ.get("FPP_REDIS_URL")
    if url:
        if not _redis_responds(url, 10.0):
            pytest.fail(f"FPP_REDIS_URL={url} names a Redis server that does not reply to PING")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no Redis server: FPP_REDIS_URL is unset and redis-server is not installed "
                    "(apt-get install redis-server)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    log = open(folder / "redis.log", "wb")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--protected-mode", "yes"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        if not _redis_responds(url, START_TIMEOUT_S):
            pytest.skip(f"redis-server did not start on 127.0.0.1:{port}; see {folder / 'redis.log'}")
        yield url
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def shared_database(redis_url: str) -> Iterator[str]:
    """A Redis database URL with a key prefix of its own; its keys are deleted afterwards."""
    from redis import Redis

    prefix = f"fpp-test-{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in redis_url else "?"
    yield f"{redis_url}{separator}key_prefix={prefix}"
    client = Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


# -- Dask -----------------------------------------------------------------------------------------


@dataclass
class DaskCluster:
    """A scheduler and its workers, started by a fixture as separate processes."""

    address: str
    scheduler: subprocess.Popen
    workers: dict[str, subprocess.Popen]
    folder: Path

    def stop(self) -> None:
        for process in self.workers.values():
            _stop(process)
        _stop(self.scheduler)


def _dask_command() -> str:
    if importlib.util.find_spec("distributed") is None:
        pytest.skip("Dask distributed is not installed: pip install -e '.[test]'")
    beside = Path(sys.executable).with_name("dask")
    command = str(beside) if beside.exists() else shutil.which("dask")
    if command is None:
        pytest.skip("no Dask scheduler: FPP_DASK_SCHEDULER is unset and the dask command is not installed")
    return command


def _wait_for_workers(address: str, count: int, timeout_s: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(count, timeout=timeout_s)


def start_dask_cluster(folder: Path, worker_names: list[str], nanny: bool = True) -> DaskCluster:
    """Start ``dask scheduler`` and one ``dask worker`` process per name, all on 127.0.0.1.

    Each worker has one thread. Without a nanny, killing a worker's process ends that worker
    for good, which the retry test needs.
    """
    dask = _dask_command()
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    env = _child_env()
    scheduler_log = open(folder / "scheduler.log", "wb")
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        cwd=REPO, env=env, stdout=scheduler_log, stderr=subprocess.STDOUT,
    )
    cluster = DaskCluster("", scheduler, {}, folder)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not scheduler_file.exists():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dask scheduler did not start; see {folder / 'scheduler.log'}")
            time.sleep(0.2)
        import json

        while True:
            try:
                cluster.address = json.loads(scheduler_file.read_text())["address"]
                break
            except (ValueError, KeyError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for name in worker_names:
            log = open(folder / f"{name}.log", "wb")
            arguments = [dask, "worker", cluster.address, "--host", "127.0.0.1", "--nthreads", "1",
                         "--no-dashboard", "--name", name, "--local-directory", str(folder / name)]
            arguments.append("--nanny" if nanny else "--no-nanny")
            cluster.workers[name] = subprocess.Popen(arguments, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for_workers(cluster.address, len(worker_names), START_TIMEOUT_S)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def dask_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Address of a Dask scheduler with workers: ``FPP_DASK_SCHEDULER``, or one started here with two."""
    pytest.importorskip("distributed", reason="Dask distributed is not installed: pip install -e '.[test]'")
    address = os.environ.get("FPP_DASK_SCHEDULER")
    if address:
        try:
            _wait_for_workers(address, 1, 30.0)
        except (OSError, TimeoutError) as error:
            pytest.fail(f"FPP_DASK_SCHEDULER={address} names a scheduler that has no workers or does not respond: {error}")
        yield address
        return
    cluster = start_dask_cluster(tmp_path_factory.mktemp("dask"), ["worker-1", "worker-2"])
    try:
        yield cluster.address
    finally:
        cluster.stop()
