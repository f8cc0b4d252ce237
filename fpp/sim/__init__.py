"""The processing chain as a discrete-event simulation, with faults as data.

:func:`~fpp.sim.runner.run_simulation` runs one day of a scenario: an IFPS feed of real ADEXP
messages, a SQLite journal, a primary and a backup channel with their real converters, control
and monitoring, the NAS store, manual input, and the engineers and supplier of an incident.
:func:`~fpp.sim.runner.compare_variants` runs the baseline and every variant of a scenario.
``fpp replay NAME`` is the command line; ``docs/simulation.md`` describes the model, its
parameters and their sources.
"""

from fpp.sim.params import SimParams
from fpp.sim.runner import Workbench, compare_variants, load_setup, run_simulation

__all__ = ["SimParams", "Workbench", "compare_variants", "load_setup", "run_simulation"]
