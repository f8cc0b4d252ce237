"""Hypothesis profiles of the fuzzers and the seed every run prints.

``ci``
    bounded: every fuzz test together takes about a minute on a two-core machine. The seed is
    fixed (:data:`CI_SEED`) unless ``FPP_FUZZ_SEED`` sets it, so a CI run is repeatable.
``nightly``
    about twenty times the examples of ``ci``, a random seed unless ``FPP_FUZZ_SEED`` sets it.
``dev``
    a handful of examples, for a quick check while editing.

Select a profile with ``FPP_FUZZ_PROFILE`` (default ``ci``). The profiles are registered with
Hypothesis as ``fpp-ci``, ``fpp-nightly`` and ``fpp-dev`` but applied to the fuzz tests only,
through :func:`fuzz_settings`, so the other Hypothesis tests of the suite keep their own settings.
"""

from __future__ import annotations

import os
import secrets

from hypothesis import HealthCheck, settings

__all__ = ["CI_SEED", "PROFILES", "fuzz_profile", "fuzz_seed", "fuzz_settings"]

#: Seed of the ``ci`` profile when ``FPP_FUZZ_SEED`` is not set.
CI_SEED = 20230828

#: Examples per fuzz test, by profile; a test may scale its own count with ``weight``.
PROFILES: dict[str, int] = {"dev": 10, "ci": 60, "nightly": 1200}

_SEED: int | None = None

for _name, _examples in PROFILES.items():
    settings.register_profile(
        f"fpp-{_name}",
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        print_blob=True,
    )


def fuzz_profile() -> str:
    """Return the profile selected by ``FPP_FUZZ_PROFILE`` (default ``ci``).

    Raises
    ------
    ValueError
        For a name that is not a key of :data:`PROFILES`.
    """
    name = os.environ.get("FPP_FUZZ_PROFILE", "ci")
    if name not in PROFILES:
        raise ValueError(f"FPP_FUZZ_PROFILE={name!r} is not a profile; use one of {', '.join(PROFILES)}")
    return name


def fuzz_seed() -> int:
    """Return the seed of this run: ``FPP_FUZZ_SEED``, else :data:`CI_SEED` for ``ci``, else a random one (drawn once)."""
    global _SEED
    if _SEED is None:
        text = os.environ.get("FPP_FUZZ_SEED")
        if text:
            _SEED = int(text)
        elif fuzz_profile() == "ci":
            _SEED = CI_SEED
        else:
            _SEED = secrets.randbits(32)
    return _SEED


def fuzz_settings(weight: float = 1.0) -> settings:
    """Settings for one fuzz test: the profile's examples times ``weight``, no deadline.

    The first example of a semantic test builds the fuzzing world (a few seconds), so deadlines
    and the health checks on slow data generation are off. The fuzz tests run under ``@seed``,
    and Hypothesis then neither reads nor writes the example database: a run depends on its seed
    alone.
    """
    name = fuzz_profile()
    return settings(settings.get_profile(f"fpp-{name}"), max_examples=max(1, round(PROFILES[name] * weight)))
