"""Shared set-up of the simulation tests.

Most tests simulate a day with fewer flights than the scenarios' 7,000 (``SMALL_DAY``), because
the property they check does not depend on volume: times of the incident, conservation of
messages, the effect of one fault. The impact test that compares flights without data with the
public figures runs at full scale. The first run on a machine builds the cached plan pool under
``$FPP_CACHE_DIR``. That takes about a minute and a half for the full day on one core, and
later runs read it.
"""

import pytest

pytest.importorskip("simpy", reason="the simulation needs simpy (pip install simpy)")

# The imports below come after the check, because fpp.sim imports simpy.

from fpp.scenario import Scenario
from fpp.sim.faults import parse_faults
from fpp.sim.params import apply_overrides
from fpp.sim.runner import Workbench, load_setup, run_simulation, variant_overrides

SMALL_DAY = 500
"""Flights per day in the tests whose property does not depend on volume."""


class ScenarioRunner:
    """Runs one scenario's simulation with overrides, sharing navigation data and converters."""

    def __init__(self, name: str) -> None:
        self.scenario = Scenario.load(name)
        self.setup = load_setup(self.scenario)
        self.bench = Workbench(self.scenario)

    def faults(self, tables):
        return parse_faults(tables, self.scenario.local_to_utc)

    def run(self, variant="baseline", flights_per_day=SMALL_DAY, seed=None, fault_tables=None, **overrides):
        values, tables = variant_overrides(self.setup, variant)
        params = apply_overrides(self.setup.params, {**values, "flights_per_day": flights_per_day, **overrides})
        faults = self.faults(tables if fault_tables is None else fault_tables)
        return run_simulation(self.bench, params, faults, self.setup.seed if seed is None else seed, variant=variant)


@pytest.fixture(scope="session")
def aug2023():
    return ScenarioRunner("aug2023")


@pytest.fixture(scope="session")
def eram2014():
    return ScenarioRunner("eram2014")


@pytest.fixture(scope="session")
def nats2014():
    return ScenarioRunner("nats2014")


@pytest.fixture(scope="session")
def etfms2018():
    return ScenarioRunner("etfms2018")
