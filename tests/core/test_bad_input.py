"""Bad input found by attacking the product: each case ends in a coded outcome, never a crash."""

import dataclasses
from datetime import timedelta

import pytest

from fpp.cli import main, split_messages
from fpp.convert.airspace import uk_airspace
from fpp.convert.hardened import HardenedConverter
from fpp.errors import ConversionError, FormatError, RouteError
from fpp.formats.adexp import basic, emit_adexp, listfield, parse_adexp, point_field
from fpp.formats.item15 import parse_item15
from fpp.route.resolve import resolve_route

from .conftest import make_fpl, make_ifpl

TRAP_ROUTE = "N0480F370 DUPAA DCT WESTA QX1 MIDAA QX2 LASTP"


def test_split_keeps_messages_after_an_open_bracket_in_a_remark():
    text = "\n\n".join([make_fpl("N0450F350 WESTA", callsign="ONE"),
                        make_fpl("N0450F350 WESTA", callsign="TWO").replace("-PBN/A1B1", "-RMK/SMILE :-( OK PBN/A1B1"),
                        make_fpl("N0450F350 WESTA", callsign="THREE")])
    messages = split_messages(text)
    assert len(messages) == 3
    assert "THREE" in messages[2]


def test_split_keeps_a_blank_line_inside_an_adexp_message():
    text = "-TITLE IFPL\n-ARCID ONE\n\n-ROUTE N0450F350 WESTA\nNNNN\n-TITLE IFPL\n-ARCID TWO\n"
    messages = split_messages(text)
    assert len(messages) == 2
    assert "-ROUTE" in messages[0]


def test_split_keeps_an_aftn_envelope_with_its_message():
    text = "ZCZC ABC001\nFF EGZYIFPS\n280831 KZLAZQZX\n(FPL-ONE-IS\n-A320/M-S/C\n-EGLL0800\n-N0450F350 DCT\n-EGPH0100\n-0)\nNNNN\n"
    assert len(split_messages(text)) == 1


def test_deeply_nested_lists_are_rejected_with_syn112():
    deep = "".join(f"-BEGIN L{i} " for i in range(200)) + "".join(f"-END L{i} " for i in reversed(range(200)))
    with pytest.raises(FormatError) as caught:
        parse_adexp("-TITLE IFPL " + deep)
    assert caught.value.code == "SYN112"
    assert "nested" in caught.value.detail


@pytest.fixture
def hardened(trap_nav):
    return HardenedConverter(trap_nav, uk_airspace(trap_nav, 2.0, ("XXFIR",)))


def test_repeated_route_field_is_rejected(trap_nav, hardened):
    message = make_ifpl(trap_nav, TRAP_ROUTE)
    twice = dataclasses.replace(message, fields=(basic("ROUTE", "N0480F370 LASTP"),) + message.fields)
    with pytest.raises(FormatError) as caught:
        hardened.convert(twice)
    assert caught.value.code == "SYN113"
    assert caught.value.token == "ROUTE"
    assert "-TITLE" in caught.value.hint


def test_time_going_back_across_untimed_point_is_conv205(trap_nav, hardened):
    message = make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA")
    start = message.rtepts()[0].eto
    points = [point_field("ZZAA", eto=start), point_field("WESTA", fl="F370", eto=start + timedelta(hours=10)),
              point_field("MIDAA", fl="F370"), point_field("ZZBB", eto=start + timedelta(hours=9))]
    fields = tuple(f for f in message.fields if f.keyword != "RTEPTS") + (listfield("RTEPTS", points),)
    with pytest.raises(ConversionError) as caught:
        hardened.convert(dataclasses.replace(message, fields=fields))
    assert caught.value.code == "CONV205"
    assert caught.value.token == "ZZBB"


def test_rtepts_element_without_ptid_names_the_element(trap_nav, hardened):
    message = make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA")
    text = emit_adexp(message).replace("-PT -PTID WESTA", "-PT -FL F370")
    with pytest.raises(ConversionError) as caught:
        hardened.convert(parse_adexp(text))
    assert caught.value.code == "CONV204"
    assert "no point designator" in caught.value.detail


def test_route_starting_with_an_airway_is_route139(trap_nav):
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 QX1 MIDAA"), trap_nav, "ZZAA", "ZZBB")
    assert caught.value.code == "ROUTE139"
    assert caught.value.token == "QX1"
    assert caught.value.offset == 10


def test_lone_procedure_names_its_token():
    from .conftest import build_nav

    nav = build_nav([("AAAAA", 50, 0)])
    with pytest.raises(RouteError) as caught:
        resolve_route(parse_item15("N0450F350 ABCD1A"), nav)
    assert caught.value.token == "ABCD1A"


def test_one_designator_at_two_places_warns(trap_nav):
    expanded = resolve_route(parse_item15("N0480F370 DUPAA DCT WESTA QX1 MIDAA QX2 DUPAA"), trap_nav, "ZZAA", "ZZBB")
    assert any(w.startswith("ROUTE900 DUPAA names two places") for w in expanded.warnings)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["expand", "/"], "cannot read /"),
        (["expand", "NO_SUCH_FILE"], "cannot read NO_SUCH_FILE"),
        (["replay", "no-such-scenario"], "scenario 'no-such-scenario' not found"),
    ],
    ids=["directory", "missing-file", "missing-scenario"],
)
def test_cli_errors_are_one_line(args, needle, capsys):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_cli_rejects_bad_option_values(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["expand", "x.fpl", "--filing-time", "2023-13-01T00:00"])
    assert caught.value.code == 2
    assert "invalid filing time" in capsys.readouterr().err


def test_cli_reports_non_utf8_input(tmp_path, capsys):
    path = tmp_path / "bytes.fpl"
    path.write_bytes(b"\xff\xfe(FPL")
    assert main(["convert", str(path)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "needle"),
    [('name = "x', "invalid TOML"), ('name = "x"\ndate = "2023-02-30"', "invalid date"), ('name = "x"', "missing 'date'")],
    ids=["bad-toml", "bad-date", "no-date"],
)
def test_bad_scenario_files_give_one_line_errors(tmp_path, toml, needle, capsys):
    (tmp_path / "scenario.toml").write_text(toml)
    assert main(["replay", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_too_many_bearing_distance_points_is_syn114():
    from .conftest import build_nav

    nav = build_nav([("LAM", 51.6, 0.15)], airports=[("ZZAA", 51.0, 0.0), ("ZZBB", 52.0, 1.0)])
    points = " ".join(f"LAM{k % 360:03d}{1 + k % 50:03d}" for k in range(100))
    with pytest.raises(FormatError) as caught:
        make_ifpl(nav, f"N0450F350 {points}")
    assert caught.value.code == "SYN114"


def test_cli_convert_json_lists_each_message(tmp_path, capsys, trap_nav):
    import json

    good = emit_adexp(make_ifpl(trap_nav, TRAP_ROUTE))
    path = tmp_path / "two.adexp"
    path.write_text(good + "\n" + make_fpl("N0450F350 WESTA"))
    assert main(["convert", str(path), "--json"]) == 4
    data = json.loads(capsys.readouterr().out)
    assert data["messages_read"] == 2
    assert [o["message"] for o in data["outcomes"]] == [1, 2]
    assert data["outcomes"][1]["outcome"] == "rejected"
    assert data["outcomes"][1]["code"] == "SYN112"
    assert "fpp expand" in data["outcomes"][1]["error"]


def test_cli_convert_codes_add_up_to_rejections(tmp_path, capsys, trap_nav):
    import json

    good = emit_adexp(make_ifpl(trap_nav, TRAP_ROUTE))
    broken = "-TITLE IFPL\n-ARCID BAD1\n-ROUTE N0450F350 WESTA\n-BEGIN RTEPTS\n"
    path = tmp_path / "mixed.adexp"
    path.write_text("\n".join([good, make_fpl("N0450F350 WESTA"), broken, "NNNN", good]))
    main(["convert", str(path), "--json"])
    data = json.loads(capsys.readouterr().out)
    not_converted = sum(n for outcome, n in data["counts"].items() if outcome != "converted")
    assert not_converted >= 2
    assert sum(data["error_codes"].values()) == not_converted
    assert all("code" in o for o in data["outcomes"] if o["outcome"] != "converted")


def test_cli_expand_names_an_adexp_message(tmp_path, capsys, trap_nav):
    path = tmp_path / "wrong.fpl"
    path.write_text(emit_adexp(make_ifpl(trap_nav, TRAP_ROUTE)))
    assert main(["expand", str(path)]) == 4
    err = capsys.readouterr().err
    assert "SYN110" in err
    assert "fpp convert" in err


def test_cli_empty_file_is_an_error(tmp_path, capsys):
    path = tmp_path / "empty.fpl"
    path.write_text("\n\n")
    assert main(["expand", str(path)]) == 1
    assert "no message found" in capsys.readouterr().err


def test_cli_expand_offsets_count_from_the_message(tmp_path, capsys):
    text = make_fpl("N0450F350 LAM DCT NOSUCH")
    path = tmp_path / "typo.fpl"
    path.write_text(text)
    assert main(["expand", str(path)]) == 4
    err = capsys.readouterr().err
    assert f"offset {text.index('NOSUCH')}" in err
    assert "offset 18 in Item 15" in err
