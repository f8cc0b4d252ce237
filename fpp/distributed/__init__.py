"""Scale-out of fpp on Dask distributed, with a Hypothesis example database shared through Redis.

Modules
-------
``cluster``   connect to a Dask scheduler or start a local cluster; check that workers run the
              same fpp code as the client
``database``  example databases of fuzz campaigns: a folder, or Redis shared by many machines
``bundle``    scenario folders sent with tasks, for workers that have no copy
``fuzz``      fuzz campaigns as Dask tasks (``fpp fuzz --scheduler`` or ``--database redis://``)
``sweep``     parameter sweeps of the day simulation (the ``fpp sweep`` command, :func:`add_parser`)
``convert``   chunked conversion of a message stream (``fpp convert --scheduler``)

Dask, redis-py and Hypothesis are imported only when a command runs, so that registering the
commands costs nothing and the other ``fpp`` commands work without them. See
``docs/distributed.md`` for running on several machines.
"""

from fpp.distributed.sweep import add_parser

__all__ = ["add_parser"]
