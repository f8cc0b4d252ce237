"""Simulation parameters: reading the scenario section, overrides from the command line."""

import pytest

from fpp.scenario import Scenario
from fpp.sim.params import (
    SimParams,
    apply_overrides,
    flatten_section,
    parameter_names,
    params_from_section,
    parse_assignment,
)
from fpp.sim.runner import load_setup, variant_overrides


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("second_line_on_site", "true", True),
        ("second_line_on_site", "no", False),
        ("first_line_max_restarts", "4", 4),
        ("manual_rate_per_hour", "120", 120.0),
        ("supplier_call_after_min", "none", None),
        ("supplier_call_after_min", "45.5", 45.5),
        ("backup_logic", "hardened", "hardened"),
        ("flow_restrictions_local", "12:10", "12:10"),
    ],
)
def test_override_converts_text_to_the_parameter_type(name, text, expected):
    params = apply_overrides(SimParams(), {name: text})
    assert getattr(params, name) == expected
    assert type(getattr(params, name)) is type(expected)


def test_override_profile_from_comma_list():
    profile = ",".join(["1"] * 24)
    params = apply_overrides(SimParams(), {"hourly_profile": profile})
    assert params.hourly_profile == tuple([1.0] * 24)


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("no_such_parameter", "1", KeyError),
        ("second_line_on_site", "maybe", ValueError),
        ("first_line_max_restarts", "2.5", ValueError),
        ("manual_rate_per_hour", "fast", ValueError),
        ("primary_logic", "clever", ValueError),
        ("manual_rate_per_hour", "0", ValueError),
        ("restart_min", "-1", ValueError),
        ("hourly_profile", "1,2,3", ValueError),
    ],
)
def test_override_rejects_bad_names_and_values(name, text, error):
    with pytest.raises(error):
        apply_overrides(SimParams(), {name: text})


def test_override_accepts_group_prefix():
    params = apply_overrides(SimParams(), {"actors.second_line_on_site": "true"})
    assert params.second_line_on_site is True


def test_parse_assignment():
    assert parse_assignment("manual_rate_per_hour = 90") == ("manual_rate_per_hour", "90")
    with pytest.raises(ValueError):
        parse_assignment("manual_rate_per_hour")
    with pytest.raises(ValueError):
        parse_assignment("=3")


def test_section_flattens_groups_and_rejects_repeats():
    section = {"seed": 1, "demand": {"flights_per_day": 10}, "actors": {"second_line_on_site": True},
               "faults": [], "variants": {}, "reported": {}}
    assert flatten_section(section) == {"flights_per_day": 10, "second_line_on_site": True}
    with pytest.raises(KeyError):
        flatten_section({"demand": {"flights_per_day": 10}, "nas": {"flights_per_day": 20}})
    with pytest.raises(KeyError):
        flatten_section({"demand": {"flights_a_day": 10}})


def test_section_defaults_fill_what_is_missing():
    params = params_from_section({"channels": {"takeover_s": 9}}, {"processing_s": 2.0, "takeover_s": 1.0})
    assert params.processing_s == 2.0
    assert params.takeover_s == 9.0


def test_every_field_has_unit_or_is_a_choice():
    unitless = {"hourly_profile", "primary_logic", "backup_logic", "quarantine", "input_filter", "flights_per_day",
                "checks_per_point", "misread_checks_per_point", "max_points", "first_line_max_restarts",
                "second_line_on_site", "remote_login_works", "restart_requires_on_site", "second_line_restarts",
                "recover_from_journal", "flow_restrictions_local"}
    units = ("_s", "_min", "_h", "_ms", "_ft", "_kb", "_mb", "_per_hour")
    missing = [name for name in parameter_names() if name not in unitless and not name.endswith(units)]
    assert missing == []


def test_aug2023_setup_reads_channel_timings_and_variants():
    scenario = Scenario.load("aug2023")
    setup = load_setup(scenario)
    channels = scenario.section("channels")
    assert setup.params.processing_s == channels["processing_s"]
    assert setup.params.detection_s == channels["detection_s"]
    assert setup.params.takeover_s == channels["takeover_s"]
    expected = {"engineer_on_site", "early_supplier_call", "diverse_backup", "input_filter", "quarantine",
                "hardened", "manual_120"}
    assert expected <= set(setup.variants)
    overrides, tables = variant_overrides(setup, "diverse_backup")
    assert overrides == {"backup_logic": "hardened"}
    assert tables == setup.fault_tables
    with pytest.raises(KeyError):
        variant_overrides(setup, "no_such_variant")


@pytest.mark.parametrize("name", ["aug2023", "eram2014", "nats2014", "etfms2018"])
def test_every_scenario_and_variant_loads(name):
    scenario = Scenario.load(name)
    setup = load_setup(scenario)
    for variant in ["baseline", *setup.variants]:
        overrides, _ = variant_overrides(setup, variant)
        assert isinstance(apply_overrides(setup.params, overrides), SimParams)


NUMERIC = [name for name in parameter_names()
           if isinstance(getattr(SimParams(), name), (int, float)) and not isinstance(getattr(SimParams(), name), bool)
           or name in ("misread_above_level_ft", "supplier_call_after_min")]


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e12"])
@pytest.mark.parametrize("name", NUMERIC)
def test_numbers_reject_nan_inf_and_huge(name, text):
    with pytest.raises(ValueError, match=name):
        apply_overrides(SimParams(), {name: text})


@pytest.mark.parametrize(
    ("name", "text"),
    [("lead_time_h", "1e9"), ("flights_per_day", "50001"), ("restart_min", "10081"),
     ("hourly_profile", ",".join(["1"] * 23 + ["nan"])), ("hourly_profile", ",".join(["1e308"] * 24)),
     ("flow_restrictions_local", "25:99"), ("flow_restrictions_local", "24:00"), ("flow_restrictions_local", "noon")],
)
def test_out_of_range_names_parameter(name, text):
    with pytest.raises(ValueError, match=name):
        apply_overrides(SimParams(), {name: text})


@pytest.mark.parametrize(("name", "text"), [("lead_time_h", "120"), ("flights_per_day", "50000"),
                                            ("flow_restrictions_local", "23:59"), ("flow_restrictions_local", "00:00:30")])
def test_values_at_bounds_accepted(name, text):
    apply_overrides(SimParams(), {name: text})


@pytest.mark.parametrize(("name", "text", "rule"), [
    ("manual_rate_per_hour", "-60", "manual_rate_per_hour must be above 0 and at most 50,000, not -60.0"),
    ("lead_time_h", "-4", "lead_time_h must be above 0 and at most 168, not -4.0"),
    ("flights_per_day", "-5", "flights_per_day must be from 0 to 50,000, not -5"),
])
def test_out_of_range_gives_one_rule(name, text, rule):
    with pytest.raises(ValueError) as raised:
        apply_overrides(SimParams(), {name: text})
    assert str(raised.value) == f"invalid simulation parameters: {rule}"
