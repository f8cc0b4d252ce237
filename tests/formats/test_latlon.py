"""Tests of the lat/long text forms: parsing, rejected forms, formatting and round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp.errors import FormatError, FppError
from fpp.formats.latlon import (
    describe_non_icao_form,
    format_adexp_lat,
    format_adexp_lon,
    format_latlon,
    parse_adexp_lat,
    parse_adexp_lon,
    parse_latlon,
)

# Expected values are written as sexagesimal sums so that a minutes-as-decimals bug shows.
ACCEPTED = [
    ("46N078W", 46.0, -78.0),
    ("4620N07805W", 46 + 20 / 60, -(78 + 5 / 60)),
    ("462013N0780503W", 46 + 20 / 60 + 13 / 3600, -(78 + 5 / 60 + 3 / 3600)),
    ("5530N02000W", 55.5, -20.0),
    ("4630N01045E", 46.5, 10.75),
    ("4659N01059E", 46 + 59 / 60, 10 + 59 / 60),
    ("02S001W", -2.0, -1.0),
    ("00N000E", 0.0, 0.0),
    ("8959N00000E", 89 + 59 / 60, 0.0),
    ("90N000E", 90.0, 0.0),
    ("90N120W", 90.0, 0.0),
    ("9000S04500E", -90.0, 0.0),
    ("00N180E", 0.0, 180.0),
    ("00N180W", 0.0, 180.0),
    ("1000S17959W", -10.0, -(179 + 59 / 60)),
]


@pytest.mark.parametrize(("text", "lat_deg", "lon_deg"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_parse_latlon_accepted(text: str, lat_deg: float, lon_deg: float) -> None:
    parsed_lat, parsed_lon = parse_latlon(text)
    assert parsed_lat == pytest.approx(lat_deg, abs=1e-12)
    assert parsed_lon == pytest.approx(lon_deg, abs=1e-12)


def test_parse_latlon_e13_values() -> None:
    # E13: the rounded values of the four forms as stated for the edge case.
    expected = [(46.0, -78.0), (46.3333, -78.0833), (46.3369, -78.0842), (55.5, -20.0)]
    for text, (lat_deg, lon_deg) in zip(["46N078W", "4620N07805W", "462013N0780503W", "5530N02000W"], expected):
        parsed_lat, parsed_lon = parse_latlon(text)
        assert round(parsed_lat, 4) == lat_deg
        assert round(parsed_lon, 4) == lon_deg


def test_parse_latlon_minutes_are_sexagesimal() -> None:
    # E14: 4630N is 46.5 degrees; reading minutes as hundredths would give 46.30.
    lat_deg, lon_deg = parse_latlon("4630N01045E")
    assert lat_deg == 46.5
    assert lon_deg == 10.75
    assert lat_deg != 46.30


def test_parse_latlon_poles_are_one_point() -> None:
    assert parse_latlon("90N000E") == parse_latlon("90N120W")
    assert parse_latlon("90S000E") == parse_latlon("9000S17000W")


def test_parse_latlon_no_negative_zero() -> None:
    lat_deg, lon_deg = parse_latlon("00S000W")
    assert math.copysign(1.0, lat_deg) == 1.0
    assert math.copysign(1.0, lon_deg) == 1.0


RANGE_ERRORS = [
    ("4660N07805W", "minutes 60"),
    ("4620N07860W", "minutes 60"),
    ("462060N0780503W", "seconds 60"),
    ("462013N0780560W", "seconds 60"),
    ("4675N01000E", "minutes 75"),
    ("91N000E", "latitude exceeds 90"),
    ("9001N00000E", "latitude exceeds 90"),
    ("900001N0000000E", "latitude exceeds 90"),
    ("00N181E", "longitude exceeds 180"),
    ("0000N18001W", "longitude exceeds 180"),
]


@pytest.mark.parametrize(("text", "detail"), RANGE_ERRORS, ids=[case[0] for case in RANGE_ERRORS])
def test_parse_latlon_range_errors(text: str, detail: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_latlon(text, 12, field="15")
    assert caught.value.code == "SYN103"
    assert caught.value.token == text
    assert caught.value.offset == 12
    assert caught.value.field == "15"
    assert detail in caught.value.detail


NON_ICAO = [
    ("N5030W03000", "hemisphere letter before the digits"),
    ("4N40W", "short form"),
    ("460N0780W", "short form"),
    ("5720N", "ARINC 424 five-character code"),
    ("57N20", "ARINC 424 five-character code"),
    ("H5030", "ARINC 424 letter-first"),
    ("5800N/07000W", "separated by a slash"),
    ("4620N078W", "different precision"),
    ("46N07805W", "different precision"),
]


@pytest.mark.parametrize(("text", "form"), NON_ICAO, ids=[case[0] for case in NON_ICAO])
def test_parse_latlon_rejects_non_icao_forms(text: str, form: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_latlon(text, 3)
    assert caught.value.code == "SYN103"
    assert caught.value.token == text
    assert caught.value.offset == 3
    assert form in caught.value.detail
    assert "not an ICAO lat/long form" in caught.value.detail


@pytest.mark.parametrize("text", ["", "ABCDE", "46N078", "4620N07805", "46X078W", "4620n07805w"])
def test_parse_latlon_rejects_other_text(text: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_latlon(text)
    assert caught.value.code == "SYN103"
    assert caught.value.token == text


def test_describe_non_icao_form_none_for_icao() -> None:
    assert describe_non_icao_form("N622E") is None
    assert describe_non_icao_form("ABCDE") is None


FORMATS = [
    (46 + 20 / 60, -(78 + 5 / 60), "icao11", "4620N07805W"),
    (46.0, -78.0, "icao7", "46N078W"),
    (46 + 20 / 60 + 13 / 3600, -(78 + 5 / 60 + 3 / 3600), "icao15", "462013N0780503W"),
    (46 + 20 / 60, -(78 + 5 / 60), "adexp", "-LATTD 462000N -LONGTD 0780500W"),
    (-2.0, -1.0, "icao7", "02S001W"),
    (0.0, 0.0, "icao11", "0000N00000E"),
    (-0.0001, -0.0001, "icao11", "0000N00000E"),
    (46.99999, 10.99999, "icao11", "4700N01100E"),
    (46.4, 10.6, "icao7", "46N011E"),
    (90.0, 0.0, "icao7", "90N000E"),
    (-90.0, 180.0, "icao11", "9000S18000E"),
]


@pytest.mark.parametrize(("lat_deg", "lon_deg", "style", "text"), FORMATS, ids=[f"{case[2]}-{case[3]}" for case in FORMATS])
def test_format_latlon_styles(lat_deg: float, lon_deg: float, style: str, text: str) -> None:
    assert format_latlon(lat_deg, lon_deg, style) == text  # type: ignore[arg-type]


def test_format_latlon_default_is_icao11() -> None:
    assert format_latlon(55.5, -20.0) == "5530N02000W"


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg", "style"),
    [(90.5, 0.0, "icao11"), (0.0, -180.5, "icao11"), (0.0, 0.0, "decimal"), (math.nan, 0.0, "icao7")],
    ids=["lat-range", "lon-range", "unknown-style", "nan"],
)
def test_format_latlon_invalid_input(lat_deg: float, lon_deg: float, style: str) -> None:
    with pytest.raises(ValueError):
        format_latlon(lat_deg, lon_deg, style)  # type: ignore[arg-type]


ADEXP_VALUES = [
    ("462000N", 46 + 20 / 60),
    ("490000N", 49.0),
    ("550302N", 55 + 3 / 60 + 2 / 3600),
    ("000000S", 0.0),
    ("900000S", -90.0),
]


@pytest.mark.parametrize(("text", "lat_deg"), ADEXP_VALUES, ids=[case[0] for case in ADEXP_VALUES])
def test_adexp_latitude_round_trip(text: str, lat_deg: float) -> None:
    assert parse_adexp_lat(text) == pytest.approx(lat_deg, abs=1e-12)
    assert format_adexp_lat(lat_deg) == ("000000N" if text == "000000S" else text)


ADEXP_LONGITUDES = [
    ("0780500W", -(78 + 5 / 60)),
    ("0500000W", -50.0),
    ("1070037W", -(107 + 37 / 3600)),
    ("0000000E", 0.0),
    ("1800000E", 180.0),
]


@pytest.mark.parametrize(("text", "lon_deg"), ADEXP_LONGITUDES, ids=[case[0] for case in ADEXP_LONGITUDES])
def test_adexp_longitude_round_trip(text: str, lon_deg: float) -> None:
    assert parse_adexp_lon(text) == pytest.approx(lon_deg, abs=1e-12)
    assert format_adexp_lon(lon_deg) == text


def test_adexp_longitude_180_west_is_180() -> None:
    assert parse_adexp_lon("1800000W") == 180.0


@pytest.mark.parametrize(
    ("function", "text"),
    [
        (parse_adexp_lat, "4620N"),
        (parse_adexp_lat, "466000N"),
        (parse_adexp_lat, "910000N"),
        (parse_adexp_lat, "462000E"),
        (parse_adexp_lon, "780500W"),
        (parse_adexp_lon, "0786000W"),
        (parse_adexp_lon, "1810000E"),
        (parse_adexp_lon, "0780500N"),
    ],
    ids=["lat-short", "lat-minutes", "lat-range", "lat-hemisphere", "lon-short", "lon-minutes", "lon-range", "lon-hemisphere"],
)
def test_adexp_values_invalid(function: object, text: str) -> None:
    with pytest.raises(FormatError) as caught:
        function(text, 5)  # type: ignore[operator]
    assert caught.value.code == "SYN103"
    assert caught.value.token == text
    assert caught.value.offset == 5


RESOLUTION_DEG = {"icao7": 1.0, "icao11": 1 / 60, "icao15": 1 / 3600}


@given(
    lat_deg=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon_deg=st.floats(min_value=-180, max_value=180, allow_nan=False),
    style=st.sampled_from(sorted(RESOLUTION_DEG)),
)
def test_format_parse_round_trip(lat_deg: float, lon_deg: float, style: str) -> None:
    text = format_latlon(lat_deg, lon_deg, style)  # type: ignore[arg-type]
    parsed_lat, parsed_lon = parse_latlon(text)
    half_step = RESOLUTION_DEG[style] / 2 + 1e-9

    assert abs(parsed_lat - lat_deg) <= half_step
    if abs(parsed_lat) != 90.0:
        wrapped = (parsed_lon - lon_deg + 180.0) % 360.0 - 180.0
        assert abs(wrapped) <= half_step
    again = format_latlon(parsed_lat, parsed_lon, style)  # type: ignore[arg-type]
    assert parse_latlon(again) == (parsed_lat, parsed_lon)
    if abs(parsed_lat) != 90.0 and abs(parsed_lon) != 180.0:
        assert again == text


@given(
    lat_seconds=st.integers(min_value=-90 * 3600, max_value=90 * 3600),
    lon_seconds=st.integers(min_value=-180 * 3600 + 1, max_value=180 * 3600),
)
def test_adexp_round_trip_exact(lat_seconds: int, lon_seconds: int) -> None:
    lat_text = format_adexp_lat(lat_seconds / 3600)
    lon_text = format_adexp_lon(lon_seconds / 3600)
    assert round(parse_adexp_lat(lat_text) * 3600) == lat_seconds
    assert round(parse_adexp_lon(lon_text) * 3600) == lon_seconds


@given(st.text(max_size=20))
def test_parse_latlon_raises_only_fpp_errors(text: str) -> None:
    for function in (parse_latlon, parse_adexp_lat, parse_adexp_lon):
        try:
            function(text)
        except FppError:
            pass


@given(st.text(alphabet="0123456789NSEWH/", max_size=18))
def test_parse_latlon_grammar_alphabet(text: str) -> None:
    try:
        lat_deg, lon_deg = parse_latlon(text)
    except FppError:
        return
    assert -90.0 <= lat_deg <= 90.0
    assert -180.0 <= lon_deg <= 180.0
