"""Property-based fuzzing of fpp: strategies, properties, an oracle and the ``fpp fuzz`` campaign.

Modules
-------
``world``       the navigation data, airspace, converters and indexes the strategies share
``grammar``     grammar-level and byte-level strategies (Item 15, ADEXP, ICAO, hostile text)
``routes``      semantic strategies: plans walked over the real airway graph, with hazards
``oracle``      an independent clipping oracle (shapely in a gnomonic projection)
``properties``  the invariants, as functions that raise :class:`~fpp.fuzzing.properties.InvariantViolation`
``compare``     legacy against hardened, every difference in a named class
``targets``     strategy and property pairs, by converter logic
``reproduce``   failure signatures and reproducer folders
``campaign``    parallel workers with a shared example database
``profiles``    the Hypothesis profiles ``ci``, ``nightly`` and ``dev``
``cli``         the ``fpp fuzz`` command (:func:`add_parser`)

Only :mod:`fpp.fuzzing.cli` is imported here, so that registering the command does not need
Hypothesis or shapely; the other modules need the ``test`` extras.
"""

from fpp.fuzzing.cli import add_parser

__all__ = ["add_parser"]
