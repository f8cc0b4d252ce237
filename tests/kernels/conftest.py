"""Shared fixtures of the kernel tests: the default data, the UK volume, generated traffic.

With ``NUMBA_DISABLE_JIT=1`` the kernels run as plain Python, so coverage sees them; the
fixtures keep the inputs small enough for that.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import numba
import pytest

from fpp.convert.airspace import uk_airspace
from fpp.convert.batch import BatchConverter
from fpp.navdata import load_navdata
from fpp.traffic import generate_day

#: Whether the kernels run as Python (``NUMBA_DISABLE_JIT=1``).
JIT_DISABLED = bool(numba.config.DISABLE_JIT)
#: Plans of the generated day the tests convert.
GENERATED_PLANS = 40 if JIT_DISABLED else 150


@pytest.fixture(scope="session")
def default_nav():
    return load_navdata()


@pytest.fixture(scope="session")
def uk_volume(default_nav):
    return uk_airspace(default_nav)


@pytest.fixture(scope="session")
def batch_converter(default_nav, uk_volume):
    return BatchConverter(default_nav, uk_volume)


@pytest.fixture(scope="session")
def generated_messages(default_nav) -> list[str]:
    """ADEXP IFPL messages of a generated day over the default data (seed 11)."""
    plans = generate_day(default_nav, GENERATED_PLANS, seed=11, day=date(2023, 8, 28), route_pool=40)
    return [plan.adexp_text for plan in plans]


@pytest.fixture(scope="session")
def uk_volume_tables(uk_volume):
    """The UK volume and its kernel tables."""
    from fpp.kernels.geometry import build_volume_tables

    return uk_volume, build_volume_tables(uk_volume)


#: Recorded plans the tests sample.
RECORDED_SAMPLE = 40 if JIT_DISABLED else 300


@pytest.fixture(scope="session")
def shared_nav():
    from ..navdata.navdata_paths import require_shared

    return load_navdata(require_shared("navdata"))


@pytest.fixture(scope="session")
def recorded_messages(shared_nav, tmp_path_factory) -> list[str]:
    """ADEXP messages of a seeded sample of the recorded plans, expanded over the recent data."""
    from fpp.cli import split_messages
    from fpp.corpus import build_corpus

    from ..navdata.navdata_paths import require_shared

    folder = tmp_path_factory.mktemp("recorded")
    samples = []
    for source in sorted(require_shared("traffic").glob("*.csv")):
        with source.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = random.Random(5).sample(list(reader), RECORDED_SAMPLE // 2)
            fields = reader.fieldnames or []
        sample = folder / source.name
        with sample.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        samples.append(sample)
    out = io.StringIO()
    build_corpus(samples, shared_nav, out)
    return split_messages(out.getvalue())
