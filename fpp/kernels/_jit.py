"""The Numba decorator shared by every kernel, and a counter of compilations.

Every kernel is compiled with ``cache=True``, so the machine code is written next to the module
(or under ``NUMBA_CACHE_DIR``) and a later process loads it instead of compiling again. With
``NUMBA_DISABLE_JIT=1`` the decorator returns the plain Python function, which lets coverage
tools see the kernel bodies. Kernels are compiled without Numba's reference counting (see
:data:`KERNEL_OPTIONS`), so none of them allocates or returns an array.

Numba checks a cached function against its own source file only, yet a kernel that calls
kernels of other modules carries their code too, and constants of other fpp modules. So the
kernels use cache locators whose source stamp covers every file in :data:`STAMPED_FILES`: a
change to any of them makes every kernel compile again. The locators subclass Numba's own
(``numba.core.caching``, Numba 0.59 to 0.68); when those classes are missing, caching falls back
to Numba's per-file check.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numba
from numba.core import event

__all__ = ["KERNEL_OPTIONS", "STAMPED_FILES", "CompileCounter", "count_compilations", "kernel"]

F = TypeVar("F", bound=Callable[..., Any])

_PACKAGE = Path(__file__).resolve().parent.parent
#: Source files whose code or constants the compiled kernels contain.
STAMPED_FILES = (
    *sorted(Path(__file__).resolve().parent.glob("*.py")),
    _PACKAGE / "geo.py",
    _PACKAGE / "convert" / "airspace.py",
    _PACKAGE / "convert" / "hardened.py",
    _PACKAGE / "formats" / "item15.py",
    _PACKAGE / "route" / "resolve.py",
)


def _stamp() -> tuple[tuple[str, float, int], ...]:
    return tuple((path.name, os.stat(path).st_mtime, os.stat(path).st_size) for path in STAMPED_FILES if path.exists())


def _install_locators() -> None:
    try:
        from numba.core import caching

        bases = (caching.UserProvidedCacheLocator, caching.InTreeCacheLocator)
        locators = caching.CacheImpl._locator_classes
    except AttributeError:
        return

    def stamped(base: type) -> type:
        class Stamped(base):  # type: ignore[misc, valid-type]
            @classmethod
            def from_function(cls, py_func, py_file):
                if not getattr(py_func, "__module__", "").startswith("fpp.kernels"):
                    return None
                return super().from_function(py_func, py_file)

            def get_source_stamp(self):
                return _stamp()

        Stamped.__name__ = f"FppKernels{base.__name__}"
        return Stamped

    if not any(cls.__name__.startswith("FppKernels") for cls in locators):
        locators[0:0] = [stamped(base) for base in bases]


_install_locators()


#: Numba options of every kernel. ``_nrt=False`` compiles without the Numba runtime, which
#: otherwise counts references to every array that a call passes or a tuple field yields. Those
#: counts are atomic operations, and they made a call of a small helper with the navigation or
#: scratch tables cost 30 to 70 ns, more than its work (measured on the machine of
#: benchmarks/README.md). The price is that a kernel cannot allocate or return an array, so
#: callers pass every output and work array in. NOTE: ``_nrt`` is a Numba option without the
#: public API's stability promise (present from 0.3x to 0.68).
KERNEL_OPTIONS = {"cache": True, "nogil": True, "_nrt": False}


def kernel(function: F) -> F:
    """Compile ``function`` in nopython mode with :data:`KERNEL_OPTIONS`: an on-disk cache, the
    GIL released and no reference counting."""
    return numba.njit(**KERNEL_OPTIONS)(function)  # type: ignore[return-value]


class CompileCounter(event.Listener):
    """A Numba event listener that counts ``numba:compile`` events.

    Numba emits one such event each time it compiles a function for a new signature. Loading a
    function from the on-disk cache emits none, so a count of 0 in a fresh process means that
    every kernel it called came from the cache.
    """

    def __init__(self) -> None:
        self.count = 0

    def on_start(self, ev: event.Event) -> None:
        self.count += 1

    def on_end(self, ev: event.Event) -> None:
        pass


@contextmanager
def count_compilations() -> Iterator[CompileCounter]:
    """Count the Numba compilations that happen inside the ``with`` block."""
    counter = CompileCounter()
    event.register("numba:compile", counter)
    try:
        yield counter
    finally:
        event.unregister("numba:compile", counter)
