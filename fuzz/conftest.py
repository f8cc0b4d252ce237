"""Print the fuzz profile and seed in the pytest header, so that every run can be repeated."""

from fpp.fuzzing.profiles import PROFILES, fuzz_profile, fuzz_seed


def pytest_report_header(config):
    profile = fuzz_profile()
    return (f"fpp fuzz: profile {profile} ({PROFILES[profile]} examples per test), seed {fuzz_seed()} "
            "(repeat with FPP_FUZZ_SEED; choose the profile with FPP_FUZZ_PROFILE=ci|nightly|dev)")
