"""Connect to a Dask cluster: a running scheduler, or a local cluster sized to this machine.

Every distributed command (``fpp fuzz --scheduler``, ``fpp sweep``, ``fpp convert --scheduler``)
gets its :class:`distributed.Client` from :func:`open_client`. The scheduler is named by
address (``tcp://HOST:PORT``, ``tls://HOST:PORT``), by the path of the JSON file that
``dask scheduler --scheduler-file`` writes, or by ``local`` for a new local cluster. Before any
work is sent, :func:`check_workers` compares a fingerprint of the fpp source on the client and on
every worker. It warns about each worker that differs, because a worker that runs another fpp
revision may return different results without any error.

Dask and its ``distributed`` package are imported only when a cluster is used, so that the other
``fpp`` commands run without them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fpp.errors import FppError

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "CONNECT_TIMEOUT_S",
    "LOCAL",
    "check_workers",
    "code_fingerprint",
    "local_worker_count",
    "open_client",
    "parse_scheduler",
    "scheduler_argument",
    "worker_fingerprint",
    "worker_name",
    "worker_threads",
]

logger = logging.getLogger(__name__)

#: The ``--scheduler`` value that starts a local cluster instead of connecting to one.
LOCAL = "local"
#: How long a client waits for the scheduler to respond before giving up [s].
CONNECT_TIMEOUT_S = 20.0
#: How long the first TCP check of a scheduler address waits [s].
PROBE_TIMEOUT_S = 2.0

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


def parse_scheduler(text: str | None) -> str | None:
    """Check a ``--scheduler`` value and return it in canonical form.

    Parameters
    ----------
    text
        ``None`` or ``local`` for a local cluster, ``tcp://HOST:PORT`` or ``tls://HOST:PORT``
        for a running scheduler, or the path of a scheduler file.

    Returns
    -------
    str or None
        ``None`` for a local cluster, else the address or the scheduler file path.

    Raises
    ------
    ValueError
        For a value that is none of these, or a port outside 1 to 65535.
    """
    if text is None or text.strip().lower() == LOCAL:
        return None
    text = text.strip()
    match = _ADDRESS.fullmatch(text)
    if match:
        port = int(match.group(3))
        if not 1 <= port <= 65535:
            raise ValueError(f"invalid scheduler address {text!r}: port {port} is outside 1 to 65535")
        return text
    if Path(text).is_file():
        _scheduler_file_address(text)
        return text
    raise ValueError(f"invalid scheduler {text!r}: expected tcp://HOST:PORT, tls://HOST:PORT, the path of a "
                     f"scheduler file written by 'dask scheduler --scheduler-file', or '{LOCAL}'")


def _scheduler_file_address(path: str) -> str:
    """Return the ``address`` of a scheduler file written by ``dask scheduler --scheduler-file``.

    Raises
    ------
    ValueError
        When the file cannot be read, is not JSON, or has no address of the form tcp://HOST:PORT.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the scheduler file {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid scheduler file {path}: not JSON ({error}); name the file that "
                         "'dask scheduler --scheduler-file' writes") from None
    address = data.get("address") if isinstance(data, dict) else None
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise ValueError(f"invalid scheduler file {path}: no \"address\" of the form tcp://HOST:PORT; name the file "
                         "that 'dask scheduler --scheduler-file' writes")
    return address


def _refused(address: str, timeout_s: float) -> OSError | None:
    """Return the error of a TCP connection to ``address`` that is refused or unreachable at once, else ``None``.

    The Dask client retries a refused connection until its timeout, which takes
    :data:`CONNECT_TIMEOUT_S` when nothing listens. A slow or silent host is left to the client.
    """
    match = _ADDRESS.fullmatch(address)
    if match is None:
        return None
    host, port = match.group(2).strip("[]"), int(match.group(3))
    try:
        with socket.create_connection((host, port), timeout=min(timeout_s, PROBE_TIMEOUT_S)):
            return None
    except (ConnectionRefusedError, socket.gaierror) as error:
        return error
    except OSError:
        return None


def scheduler_argument(text: str) -> str:
    """Check a ``--scheduler`` option for argparse; return the text unchanged.

    Raises
    ------
    argparse.ArgumentTypeError
        For a value that :func:`parse_scheduler` rejects.
    """
    import argparse

    try:
        parse_scheduler(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def local_worker_count(requested: int | None = None, tasks: int | None = None) -> int:
    """Return the number of local worker processes: ``requested``, else one per CPU core.

    The count is capped at ``tasks`` when that is given, because an idle worker process
    only costs start-up time and memory.
    """
    count = requested if requested is not None else (os.cpu_count() or 1)
    if tasks is not None:
        count = min(count, max(tasks, 1))
    return max(count, 1)


@contextmanager
def open_client(scheduler: str | None, workers: int | None = None,
                timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Client]:
    """Yield a Dask client of a running scheduler, or of a new local cluster.

    Parameters
    ----------
    scheduler
        A value accepted by :func:`parse_scheduler`; ``None`` starts a local cluster.
    workers
        Number of worker processes of a local cluster (one thread each); ignored for a running
        scheduler, whose workers are what they are.
    timeout_s
        How long to wait for the scheduler to respond [s].

    Raises
    ------
    FppError
        When the scheduler cannot be reached, or a local cluster cannot start.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise FppError(f"the distributed commands need Dask ({error}); install fpp's extra for them with "
                       "pip install -e '.[distributed]' in the fpp checkout") from None

    if not logging.getLogger("fpp").isEnabledFor(logging.INFO):
        # Dask's own loggers print every worker start and connection at INFO level; -v shows them.
        logging.getLogger("distributed").setLevel(logging.WARNING)
    address = parse_scheduler(scheduler)
    if address is None:
        count = local_worker_count(workers)
        logger.info("starting a local Dask cluster of %d worker processes on 127.0.0.1", count)
        try:
            cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.WARNING)
        except (OSError, RuntimeError) as error:
            raise FppError(f"cannot start a local Dask cluster: {error}") from None
        try:
            with Client(cluster, timeout=timeout_s) as client:
                yield client
        finally:
            cluster.close()
            logger.info("local Dask cluster stopped")
        return

    try:
        target = address if "://" in address else _scheduler_file_address(address)
    except ValueError as error:
        raise FppError(str(error)) from None
    refused = _refused(target, timeout_s)
    if refused is not None:
        raise FppError(f"cannot connect to the Dask scheduler at {target}: {refused}; start it with "
                       "'dask scheduler' and check the address and port")
    keyword: dict[str, Any] = {"address": address} if "://" in address else {"scheduler_file": address}
    try:
        client = Client(timeout=timeout_s, **keyword)
    except (OSError, TimeoutError) as error:
        raise FppError(f"cannot connect to the Dask scheduler at {address}: {error}; start it with "
                       "'dask scheduler' and check the address and port") from None
    logger.info("connected to the Dask scheduler at %s", address)
    try:
        yield client
    finally:
        client.close()


def worker_name() -> str:
    """Return the address of the Dask worker running the current task, or ``"client"`` outside a worker."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "client"


def worker_threads(client: Client) -> int:
    """Return the number of task threads of all workers registered with the scheduler now."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    return sum(int(info.get("nthreads", 1)) for info in workers.values())


def code_fingerprint() -> str:
    """Return a SHA-256 digest of every Python file of the installed fpp package, as it is on disk now."""
    import fpp

    root = Path(fpp.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def worker_fingerprint() -> str:
    """Return :func:`code_fingerprint` as it was at this process's first call.

    A worker process imports fpp modules as its tasks need them, so the code it runs is the
    code on disk when it started work, not the files edited since.
    """
    return code_fingerprint()


def check_workers(client: Client, wait_s: float = CONNECT_TIMEOUT_S) -> int:
    """Wait for a first worker and warn about workers that run other fpp code than this client.

    A worker that started before the fpp files changed, or that has another fpp revision
    installed, may return different results without any error. Such workers are logged as a
    warning rather than refused, because an edit that changes no result (a comment, a
    docstring) changes the fingerprint too.

    Parameters
    ----------
    client
        The client of the cluster.
    wait_s
        How long to wait for a first worker to join [s].

    Returns
    -------
    int
        The number of task threads of all workers.

    Raises
    ------
    FppError
        When no worker joins within ``wait_s``.
    """
    try:
        client.wait_for_workers(1, timeout=wait_s)
    except TimeoutError:
        raise FppError(f"no Dask worker joined the scheduler within {wait_s:g} s; start workers with "
                       "'dask worker SCHEDULER_ADDRESS'") from None
    expected = code_fingerprint()
    found = client.run(worker_fingerprint)
    different = sorted(worker for worker, fingerprint in found.items() if fingerprint != expected)
    if different:
        logger.warning("%d of %d Dask workers run other fpp code than this client (another revision, or files "
                       "edited since they started): %s; their results may differ, so install the same fpp "
                       "revision everywhere and restart them", len(different), len(found), ", ".join(different))
    return worker_threads(client)
