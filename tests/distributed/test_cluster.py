"""Scheduler addresses, the code fingerprint and connecting to a real Dask scheduler."""

from __future__ import annotations

import argparse
import logging
import re

import pytest

from fpp.distributed.cluster import (
    check_workers,
    code_fingerprint,
    local_worker_count,
    open_client,
    parse_scheduler,
    scheduler_argument,
    worker_fingerprint,
)
from fpp.errors import FppError

from .conftest import _free_port


@pytest.mark.parametrize("text", ["tcp://127.0.0.1:8786", "tls://scheduler.example:443", "tcp://[::1]:8786"])
def test_scheduler_address_accepted(text):
    assert parse_scheduler(text) == text


@pytest.mark.parametrize("text", [None, "local", " LOCAL "])
def test_scheduler_local_means_none(text):
    assert parse_scheduler(text) is None


def test_scheduler_file_accepted(tmp_path):
    path = tmp_path / "scheduler.json"
    path.write_text('{"type": "Scheduler", "address": "tcp://127.0.0.1:8786"}')
    assert parse_scheduler(str(path)) == str(path)


@pytest.mark.parametrize(("text", "needle"), [('{"address": 5', "not JSON"), ('{"foo": 1}', "no \"address\""),
                                              ('["tcp://127.0.0.1:8786"]', "no \"address\""),
                                              ('{"address": "127.0.0.1:8786"}', "no \"address\"")])
def test_scheduler_file_invalid_rejected(tmp_path, text, needle):
    path = tmp_path / "scheduler.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="invalid scheduler file") as caught:
        parse_scheduler(str(path))
    assert needle in str(caught.value)


@pytest.mark.parametrize("text", ["127.0.0.1:8786", "http://127.0.0.1:8786", "tcp://127.0.0.1:0",
                                  "tcp://127.0.0.1:70000", "tcp://127.0.0.1", "/no/such/scheduler.json"])
def test_scheduler_invalid_rejected(text):
    with pytest.raises(ValueError, match="scheduler"):
        parse_scheduler(text)


def test_scheduler_argument_for_argparse():
    with pytest.raises(argparse.ArgumentTypeError, match="expected tcp://HOST:PORT"):
        scheduler_argument("8786")
    assert scheduler_argument("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"


def test_local_worker_count_caps():
    assert local_worker_count(4, tasks=2) == 2
    assert local_worker_count(3) == 3
    assert local_worker_count(None, tasks=0) == 1


def test_code_fingerprint_is_sha256():
    assert re.fullmatch(r"[0-9a-f]{64}", code_fingerprint())


def test_closed_port_raises_fpp_error():
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(FppError, match="cannot connect to the Dask scheduler") as caught:
        with open_client(address, timeout_s=2.0):
            pass
    # The refusal is reported by the first TCP check, not after the client's retries.
    assert "refused" in str(caught.value)


def test_closed_port_in_scheduler_file_raises_fpp_error(tmp_path):
    path = tmp_path / "scheduler.json"
    path.write_text(f'{{"address": "tcp://127.0.0.1:{_free_port()}"}}')
    with pytest.raises(FppError, match="refused"):
        with open_client(str(path), timeout_s=20.0):
            pass


@pytest.mark.distributed
def test_workers_report_threads_and_fingerprint(dask_scheduler):
    with open_client(dask_scheduler) as client:
        threads = check_workers(client)
        fingerprints = client.run(worker_fingerprint)
    assert threads >= 1
    assert len(fingerprints) >= 1
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in fingerprints.values())


@pytest.mark.distributed
def test_other_code_on_worker_warned(dask_scheduler, monkeypatch, caplog):
    # The client pretends to run other code; every worker must then be named in a warning.
    monkeypatch.setattr("fpp.distributed.cluster.code_fingerprint", lambda: "0" * 64)
    with open_client(dask_scheduler) as client:
        with caplog.at_level(logging.WARNING, logger="fpp.distributed.cluster"):
            check_workers(client)
        workers = list(client.scheduler_info(n_workers=-1)["workers"])
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    for worker in workers:
        assert worker in warnings[0]
