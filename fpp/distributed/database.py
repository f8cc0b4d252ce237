"""Hypothesis example databases for fuzz campaigns: a local folder or a shared Redis server.

A database spec is either a folder path (a :class:`~hypothesis.database.DirectoryBasedExampleDatabase`,
the default of ``fpp fuzz``) or a Redis URL, ``redis://HOST:PORT/N``, ``rediss://HOST:PORT/N``
or ``unix:///PATH?db=N``, opened as a :class:`~hypothesis.extra.redis.RedisExampleDatabase` that
CI workers and developers share. A Redis URL may end with ``?key_prefix=NAME`` (fpp's own
parameter, removed before the URL reaches redis-py) to keep the examples of one branch or project
apart from others on the same server.

Each fuzz target gets its own namespace in the database (a key prefix in Redis, a sub-folder on
disk), so that replaying one target's examples never deletes another target's.

:class:`KeepFailuresDatabase` wraps the shared database during a campaign's search. A campaign
treats a failure it already reported as a pass, so that the search goes on to other defects.
Hypothesis deletes a saved failing example that passes on replay, so without the wrapper the
workers would remove each other's failures from the shared corpus. Failures that no longer fail
(because the defect was fixed) are deleted in the replay round at the start of each campaign,
which opens the database without the wrapper.

:func:`developer_database` builds the read-only view for developers' machines: a local folder
that Hypothesis writes, plus the shared Redis corpus that it only reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

__all__ = [
    "DEFAULT_KEY_PREFIX",
    "EXPIRE_AFTER",
    "KeepFailuresDatabase",
    "describe_database",
    "developer_database",
    "is_redis_url",
    "open_database",
    "redis_client",
    "redis_key_prefix",
]

#: Key prefix of fpp's examples in Redis, before the target name.
DEFAULT_KEY_PREFIX = "fpp-fuzz"
#: Time after which Redis drops the examples of a target that no run has read or written.
EXPIRE_AFTER = timedelta(days=30)

_REDIS_SCHEMES = ("redis", "rediss", "unix")
_SUB_KEYS = (b".secondary", b".pareto")


def is_redis_url(spec: str | None) -> bool:
    """Return whether a database spec is a Redis URL rather than a folder."""
    return bool(spec) and urlsplit(str(spec)).scheme in _REDIS_SCHEMES


def _split_redis_url(url: str) -> tuple[str, str]:
    """Return the URL without fpp's ``key_prefix`` parameter, and that prefix."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [value for name, value in query if name == "key_prefix"]
    rest = [(name, value) for name, value in query if name != "key_prefix"]
    prefix = prefixes[-1] if prefixes else DEFAULT_KEY_PREFIX
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", prefix):
        raise ValueError(f"invalid key_prefix {prefix!r} in {describe_database(url)}: use 1 to 100 letters, digits, "
                         "'_', '.', ':' or '-'")
    return urlunsplit(parts._replace(query=urlencode(rest))), prefix


def redis_key_prefix(url: str) -> str:
    """Return the key prefix of fpp's examples for a Redis URL (``fpp-fuzz`` unless the URL sets one)."""
    return _split_redis_url(url)[1]


def describe_database(spec: str) -> str:
    """Return a database spec fit for logs and results: a Redis URL without its password."""
    if not is_redis_url(spec):
        return str(spec)
    parts = urlsplit(spec)
    if parts.password is None:
        return spec
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def redis_client(url: str, timeout_s: float = 10.0):
    """Open a redis-py client for a Redis URL (without fpp's ``key_prefix`` parameter).

    Parameters
    ----------
    url
        The Redis URL.
    timeout_s
        Connect and read timeout of each command [s], so that a campaign reports an unreachable
        server instead of waiting for it.

    Raises
    ------
    ImportError
        When the ``redis`` package is not installed.
    """
    from redis import Redis

    plain, _ = _split_redis_url(url)
    return Redis.from_url(plain, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)


def open_database(spec: str, namespace: str, expire_after: timedelta = EXPIRE_AFTER) -> ExampleDatabase:
    """Open the example database of one fuzz target.

    Parameters
    ----------
    spec
        A folder path or a Redis URL (see the module documentation).
    namespace
        The fuzz target's name: the sub-folder, or the last part of the Redis key prefix.
    expire_after
        For Redis, how long the examples of a target that no run touches are kept.

    Raises
    ------
    ValueError
        For an invalid namespace or ``key_prefix``.
    ImportError
        For a Redis URL when the ``redis`` package is not installed.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", namespace):
        raise ValueError(f"invalid database namespace {namespace!r}: use letters, digits, '_', '.' or '-'")
    if not is_redis_url(spec):
        return DirectoryBasedExampleDatabase(Path(spec) / namespace)
    from hypothesis.extra.redis import RedisExampleDatabase

    _, prefix = _split_redis_url(spec)
    return RedisExampleDatabase(redis_client(spec), expire_after=expire_after,
                                key_prefix=f"{prefix}:{namespace}:".encode())


def developer_database(local_dir: str | Path, shared_url: str, namespace: str) -> ExampleDatabase:
    """Build the database of a developer's machine: a local folder plus a read-only shared corpus.

    Hypothesis reads the examples of both and writes only to ``local_dir``, so a developer
    replays every failure that CI found without changing the shared corpus.
    """
    shared = open_database(shared_url, namespace)
    return MultiplexedDatabase(DirectoryBasedExampleDatabase(Path(local_dir) / namespace), ReadOnlyDatabase(shared))


class KeepFailuresDatabase(ExampleDatabase):
    """A database that never deletes a saved failing example; every other operation passes through.

    Hypothesis keeps the failing examples of a test under the test's key (the primary corpus)
    and other examples under that key plus ``.secondary`` or ``.pareto``. This wrapper drops
    ``delete`` calls on primary keys only. ``move`` still passes through, because Hypothesis uses
    it to replace a failing example by a smaller one.
    """

    def __init__(self, db: ExampleDatabase) -> None:
        super().__init__()
        self._wrapped = db

    def __repr__(self) -> str:
        return f"KeepFailuresDatabase({self._wrapped!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeepFailuresDatabase) and self._wrapped == other._wrapped

    def fetch(self, key: bytes) -> Iterable[bytes]:
        yield from self._wrapped.fetch(key)

    def save(self, key: bytes, value: bytes) -> None:
        self._wrapped.save(key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        if key.endswith(_SUB_KEYS):
            self._wrapped.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._wrapped.move(src, dest, value)
