"""Compilation is cached: a second process loads the kernels instead of compiling them.

Measured by counting Numba's compile events in a child process, not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from .conftest import JIT_DISABLED

pytestmark = pytest.mark.skipif(JIT_DISABLED, reason="nothing is compiled with NUMBA_DISABLE_JIT=1")

_CHILD = textwrap.dedent("""
    import json
    from fpp.kernels._jit import count_compilations
    with count_compilations() as counter:
        from fpp.convert.airspace import uk_airspace
        from fpp.convert.batch import BatchConverter
        from fpp.navdata import load_navdata
        nav = load_navdata()
        result = BatchConverter(nav, uk_airspace(nav)).convert_text({text!r})
    print(json.dumps({{"compilations": counter.count, "codes": [result.code(i) for i in range(len(result))]}}))
""")

_SMALL_CHILD = textwrap.dedent("""
    import json
    from fpp.kernels._jit import count_compilations
    with count_compilations() as counter:
        from fpp.kernels.geometry import distance_nm
        distance_nm(50.0, 0.0, 51.0, 1.0)
    print(json.dumps({"compilations": counter.count}))
""")


def _run(code: str, environment: dict[str, str] | None = None) -> dict[str, object]:
    import os

    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={**os.environ, **(environment or {})})
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_second_start_compiles_nothing(batch_converter, generated_messages):
    text = "\n\n".join(generated_messages[:3])
    expected = [batch_converter.convert_text(text).code(i) for i in range(3)]  # compiles or loads in this process
    child = _run(_CHILD.format(text=text))
    assert child["compilations"] == 0
    assert child["codes"] == expected


def test_empty_cache_compiles(tmp_path):
    child = _run(_SMALL_CHILD, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert child["compilations"] >= 1
    again = _run(_SMALL_CHILD, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert again["compilations"] == 0


def test_kernel_cannot_allocate():
    # Kernels run without Numba's reference counting, so an array allocated in one is an error
    # at compile time rather than a leak. Callers pass every array in.
    import numpy as np
    from numba import njit
    from numba.core.errors import TypingError

    from fpp.kernels._jit import KERNEL_OPTIONS

    def allocates(n):
        return np.zeros(n)

    assert KERNEL_OPTIONS["_nrt"] is False
    with pytest.raises(TypingError):
        njit(**{**KERNEL_OPTIONS, "cache": False})(allocates)(3)
