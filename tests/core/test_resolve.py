"""Route resolution and airway expansion on small fixtures (edge cases E01, E06-E11, E16, E17, E24)."""

import pytest

from fpp.errors import RouteError
from fpp.formats.item15 import parse_item15
from fpp.route.resolve import resolve_route

from .conftest import build_nav


def names(expanded):
    return [p.name for p in expanded.points]


Q40 = [("AAAAA", 50.0, 0.0), ("BBBBB", 50.0, 1.0), ("CCCCC", 50.0, 2.0), ("DDDDD", 50.0, 3.0), ("EEEEE", 50.0, 4.0), ("ZZZZZ", 51.0, 3.0)]


@pytest.fixture
def q40_nav():
    return build_nav(Q40, airways=[("Q40", ["AAAAA", "BBBBB", "CCCCC", "DDDDD", "EEEEE"])])


def test_duplicate_designator_settled_by_whole_route(dup_nav):
    route = parse_item15("N0480F370 DUPAA DCT WESTA QX1 MIDAA DCT DUPAA")
    expanded = resolve_route(route, dup_nav, "ZZAA", "ZZBB")
    assert names(expanded) == ["ZZAA", "DUPAA", "WESTA", "MIDAA", "DUPAA", "ZZBB"]
    assert expanded.points[1].lat_deg == 40.0
    assert expanded.points[4].lat_deg == 52.0


def test_duplicate_without_context_is_ambiguous(dup_nav):
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0480F370 DUPAA"), dup_nav)
    assert caught.value.code == "ROUTE900"
    assert caught.value.token == "DUPAA"
    assert caught.value.offset == 10


def test_nearest_to_previous_point_alone_is_not_used():
    # From PREVA the nearer DUPBB is the west one, but only the east one continues on the airway.
    nav = build_nav(
        [("PREVA", 50.0, 0.0), ("DUPBB", 50.0, -1.0), ("DUPBB", 50.0, 3.0), ("NEXTA", 50.0, 4.0)],
        airways=[("Q9", [2, 3])],
    )
    expanded = resolve_route(parse_item15("N0450F350 PREVA DCT DUPBB Q9 NEXTA"), nav)
    assert expanded.points[1].lon_deg == 3.0


def test_airway_exit_by_exact_name_not_substring():
    nav = build_nav(
        [("NIKAA", 50, 0), ("DENAA", 50, 1), ("BULAM", 50, 2), ("RAPAA", 50, 3), ("LAM", 50, 4)],
        airways=[("Q10", ["NIKAA", "DENAA", "BULAM", "RAPAA", "LAM"])],
    )
    assert names(resolve_route(parse_item15("N0450F350 NIKAA Q10 LAM"), nav)) == ["NIKAA", "DENAA", "BULAM", "RAPAA", "LAM"]
    assert names(resolve_route(parse_item15("N0450F350 NIKAA Q10 BULAM"), nav)) == ["NIKAA", "DENAA", "BULAM"]


def test_airway_flown_against_stored_order(q40_nav):
    assert names(resolve_route(parse_item15("N0450F350 DDDDD Q40 BBBBB"), q40_nav)) == ["DDDDD", "CCCCC", "BBBBB"]


def test_same_airway_after_change_point(q40_nav):
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q40 BBBBB/N0460F370 Q40 DDDDD"), q40_nav)
    assert names(expanded) == ["AAAAA", "BBBBB", "CCCCC", "DDDDD"]
    assert expanded.points[1].speed_level.level_value == 370
    assert expanded.points[0].speed_level.level_value == 350


def test_airway_used_twice_expands_both_stretches(q40_nav):
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q40 BBBBB DCT ZZZZZ DCT DDDDD Q40 EEEEE"), q40_nav)
    assert names(expanded) == ["AAAAA", "BBBBB", "ZZZZZ", "DDDDD", "EEEEE"]


def test_point_not_on_airway_names_the_segment():
    nav = build_nav(
        [("AAAAA", 50, 0), ("BBBBB", 50, 1), ("CCCCC", 50, 2), ("XXXXX", 51, 2), ("YYYYY", 51, 3), ("ZZZZZ", 52, 3)],
        airways=[("Q20", ["AAAAA", "BBBBB", "CCCCC"]), ("Q21", ["CCCCC", "XXXXX", "YYYYY"])],
    )
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 AAAAA Q20 XXXXX DCT ZZZZZ"), nav)
    assert caught.value.code == "ROUTE140"
    assert caught.value.token == "Q20"
    assert caught.value.offset == 16
    assert "XXXXX" in caught.value.detail


def test_point_before_airway_not_on_it():
    nav = build_nav([("AAAAA", 50, 0), ("BBBBB", 50, 1), ("CCCCC", 50, 2), ("QQQQQ", 40, 0)],
                    airways=[("Q20", ["AAAAA", "BBBBB", "CCCCC"])])
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 QQQQQ Q20 CCCCC"), nav)
    assert caught.value.code == "ROUTE139"


def test_two_airways_join_at_unique_junction_with_warning():
    nav = build_nav(
        [("AAAAA", 50, 0), ("JJJJJ", 50, 1), ("BBBBB", 50, 2), ("CCCCC", 49, 1), ("DDDDD", 51, 1), ("EEEEE", 40, 0), ("FFFFF", 40, 1)],
        airways=[("Q30", ["AAAAA", "JJJJJ", "BBBBB"]), ("Q31", ["CCCCC", "JJJJJ", "DDDDD"]), ("Q32", ["EEEEE", "FFFFF"])],
    )
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q30 Q31 DDDDD"), nav)
    assert names(expanded) == ["AAAAA", "JJJJJ", "DDDDD"]
    assert any(w.startswith("ROUTE171") for w in expanded.warnings)
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 AAAAA Q30 Q32 FFFFF"), nav)
    assert caught.value.code == "ROUTE171"


def test_designator_with_digits_classified_by_data():
    nav = build_nav(
        [("AAAAA", 50, 0), ("BBBBB", 50, 1), ("CCCCC", 50, 2), ("AB123", 50, 5), ("DDDDD", 50, 6)],
        airways=[("N622E", ["AAAAA", "BBBBB", "CCCCC"])],
    )
    expanded = resolve_route(parse_item15("N0480F350 AAAAA N622E CCCCC DCT AB123 DCT DDDDD"), nav)
    assert names(expanded) == ["AAAAA", "BBBBB", "CCCCC", "AB123", "DDDDD"]
    assert expanded.points[3].lon_deg == 5


def test_unknown_designator_names_token_and_offset(q40_nav):
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 AAAAA DCT NOSUCH DCT BBBBB"), q40_nav)
    assert caught.value.code == "ROUTE130"
    assert caught.value.token == "NOSUCH"
    assert caught.value.offset == 20


def test_nat_track_without_track_data_is_flagged_dct():
    nav = build_nav([("XXXXX", 55, -15), ("YYYYY", 50, -50), ("ZZZZZ", 49, -55)])
    expanded = resolve_route(parse_item15("M082F360 XXXXX NATB YYYYY DCT ZZZZZ"), nav)
    assert names(expanded) == ["XXXXX", "YYYYY", "ZZZZZ"]
    assert any(w.startswith("ROUTE901") for w in expanded.warnings)


def test_sid_and_star_join_aerodromes_directly():
    nav = build_nav([("ABCDE", 50, 0.5), ("FGHIJ", 51, 2)], airports=[("EGAA", 50, 0), ("EGBB", 51, 3)])
    expanded = resolve_route(parse_item15("N0450F350 ABCD1A ABCDE DCT FGHIJ FGHI2B"), nav, "EGAA", "EGBB")
    assert names(expanded) == ["EGAA", "ABCDE", "FGHIJ", "EGBB"]
    assert sum(w.startswith("ROUTE903") for w in expanded.warnings) == 2


def test_latlon_and_bearing_distance_points():
    nav = build_nav([("DUB", 53.42, -6.27)])
    expanded = resolve_route(parse_item15("N0450F350 DUB DCT DUB090060 DCT 5400N00400W"), nav)
    assert [p.kind for p in expanded.points] == ["PT", "REF", "GEO"]
    assert expanded.points[1].lat_deg == pytest.approx(53.4, abs=0.1)
    assert expanded.points[1].lon_deg == pytest.approx(-4.6, abs=0.1)
    assert (expanded.points[2].lat_deg, expanded.points[2].lon_deg) == (54.0, -4.0)


def test_truncated_route_stops_at_t(q40_nav):
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q40 CCCCC T"), q40_nav)
    assert expanded.truncated
    assert names(expanded) == ["AAAAA", "BBBBB", "CCCCC"]


def test_unknown_aerodrome_is_a_warning(q40_nav):
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q40 CCCCC"), q40_nav, "QQQQ", None)
    assert names(expanded) == ["AAAAA", "BBBBB", "CCCCC"]
    assert any(w.startswith("ROUTE902") for w in expanded.warnings)


def test_item15_points_keep_their_element_index(q40_nav):
    expanded = resolve_route(parse_item15("N0450F350 AAAAA Q40 DDDDD"), q40_nav)
    assert [p.element_index for p in expanded.points] == [0, None, None, 2]
