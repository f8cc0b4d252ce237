"""Example databases: folder and Redis specs, the keep-failures wrapper, and a corpus shared by two processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase

from fpp.distributed.database import (
    DEFAULT_KEY_PREFIX,
    KeepFailuresDatabase,
    describe_database,
    developer_database,
    is_redis_url,
    open_database,
    redis_key_prefix,
)

from .conftest import REPO, _child_env


@pytest.mark.parametrize(("spec", "expected"), [
    ("redis://127.0.0.1:6379/0", True),
    ("rediss://cache.example:6380/2", True),
    ("unix:///run/redis.sock?db=1", True),
    (".hypothesis/fpp-fuzz", False),
    ("/var/tmp/corpus", False),
    ("", False),
])
def test_redis_url_detected(spec, expected):
    assert is_redis_url(spec) is expected


def test_key_prefix_from_url():
    assert redis_key_prefix("redis://127.0.0.1:6379/0") == DEFAULT_KEY_PREFIX
    assert redis_key_prefix("redis://127.0.0.1:6379/0?key_prefix=branch-a") == "branch-a"


def test_key_prefix_invalid_rejected():
    with pytest.raises(ValueError, match="invalid key_prefix"):
        redis_key_prefix("redis://127.0.0.1:6379/0?key_prefix=a%20b")


def test_password_hidden_in_description():
    described = describe_database("redis://user:secret@cache.example:6379/0")
    assert "secret" not in described
    assert described == "redis://user:***@cache.example:6379/0"
    assert describe_database("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_keep_failures_ignores_primary_delete():
    inner = InMemoryExampleDatabase()
    database = KeepFailuresDatabase(inner)
    database.save(b"key", b"failing")
    database.save(b"key.secondary", b"other")
    database.delete(b"key", b"failing")
    database.delete(b"key.secondary", b"other")
    assert set(inner.fetch(b"key")) == {b"failing"}
    assert set(inner.fetch(b"key.secondary")) == set()


def test_keep_failures_passes_moves():
    inner = InMemoryExampleDatabase()
    database = KeepFailuresDatabase(inner)
    database.save(b"key", b"larger")
    database.move(b"key", b"key.secondary", b"larger")
    assert set(database.fetch(b"key")) == set()
    assert set(database.fetch(b"key.secondary")) == {b"larger"}


def test_folder_database_per_target(tmp_path):
    first = open_database(str(tmp_path), "legacy-plans")
    second = open_database(str(tmp_path), "hostile-text")
    first.save(b"key", b"value")
    assert isinstance(first, DirectoryBasedExampleDatabase)
    assert (tmp_path / "legacy-plans").is_dir()
    assert set(first.fetch(b"key")) == {b"value"}
    assert set(second.fetch(b"key")) == set()


def test_invalid_namespace_rejected(tmp_path):
    with pytest.raises(ValueError, match="namespace"):
        open_database(str(tmp_path), "../escape")


@pytest.mark.distributed
def test_redis_database_round_trip(shared_database):
    first = open_database(shared_database, "legacy-plans")
    other_target = open_database(shared_database, "hostile-text")
    first.save(b"key", b"value")
    reopened = open_database(shared_database, "legacy-plans")
    assert set(reopened.fetch(b"key")) == {b"value"}
    assert set(other_target.fetch(b"key")) == set()


@pytest.mark.distributed
def test_developer_view_reads_not_writes(shared_database, tmp_path):
    shared = open_database(shared_database, "legacy-plans")
    shared.save(b"key", b"from-ci")
    developer = developer_database(tmp_path, shared_database, "legacy-plans")
    developer.save(b"key", b"from-laptop")
    developer.delete(b"key", b"from-ci")
    assert set(developer.fetch(b"key")) == {b"from-ci", b"from-laptop"}
    assert set(shared.fetch(b"key")) == {b"from-ci"}


_CAMPAIGN = """
import json, sys
from fpp.distributed.fuzz import run_distributed_campaign
options = json.loads(sys.argv[1])
result = run_distributed_campaign(options["mode"], options["minutes"], None, options["seed"], options["database"],
                                  options["out"], sys.stderr, "test", scheduler=options["scheduler"],
                                  max_failures=options["max_failures"])
print(json.dumps(result.to_dict()))
"""


def _campaign_process(**options) -> dict:
    """Run a campaign in a new Python process and return its result."""
    completed = subprocess.run([sys.executable, "-c", _CAMPAIGN, json.dumps(options)], cwd=REPO, env=_child_env(),
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(completed.stdout)


@pytest.mark.distributed
@pytest.mark.slow
def test_two_processes_share_failures(shared_database, dask_scheduler, tmp_path):
    # The first process searches until the legacy logic fails once; its failure goes into Redis.
    found = _campaign_process(mode="legacy", minutes=5.0, seed=20230828, database=shared_database,
                              out=str(tmp_path / "first"), scheduler=dask_scheduler, max_failures=1)
    assert found["failures"], "the legacy campaign found no failure within 5 minutes"
    key = found["failures"][0]["key"]

    # The second process, with another seed and no time to search, replays it from Redis.
    replayed = _campaign_process(mode="legacy", minutes=0.0, seed=7, database=shared_database,
                                 out=str(tmp_path / "second"), scheduler=dask_scheduler, max_failures=None)
    sources = {failure["key"]: failure["source"] for failure in replayed["failures"]}
    assert sources.get(key) == "replay", f"{key} was not replayed from Redis; found {sources}"
    folder = next(Path(failure["folder"]) for failure in replayed["failures"] if failure["key"] == key)
    assert folder.parent == tmp_path / "second"
    assert list(folder.glob("test_*.py")), f"no reproducer test in {folder}"
