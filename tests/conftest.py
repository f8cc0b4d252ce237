"""Settings shared by every test: the Hypothesis profile of the test suite.

The suite runs on small shared CI machines, so generation speed is no reason to fail a test:
the ``too_slow`` health check is off and there is no per-example deadline. Examples are drawn
at random; a failure prints the seed that reproduces it (``--hypothesis-seed``).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fpp-tests",
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
    print_blob=True,
)
settings.load_profile("fpp-tests")
