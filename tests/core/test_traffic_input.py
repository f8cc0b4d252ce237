"""Bad input to ``fpp traffic``: each bad plan is rejected and counted, each bad file or option named."""

from __future__ import annotations

import argparse
import csv
import io

import pytest

from fpp.corpus import CSV_FIELD_LIMIT, build_corpus
from fpp.errors import FormatError, FppError
from fpp.formats.icao import parse_icao
from fpp.formats.recorded import plan_from_faa_route, plan_from_recorded
from fpp.navdata import load_navdata
from fpp.traffic_cli import add_parser

HEADER = "callsign,flight_rules,aircraft,departure,arrival,alternate,cruise_tas,altitude,route\n"
GOOD_ROW = "BAW1,I,B744/H-S/C,EGLL,LFPG,,450,35000,DVR UL9 KONAN\n"
GOOD_FPL = "(FPL-BAW1-IS\n-B744/H-S/C\n-EGLL1200\n-N0450F350 DVR UL9 KONAN\n-LFPG0100\n-0)"


@pytest.fixture(scope="module")
def nav():
    return load_navdata()


def _vatsim(**fields: str) -> dict[str, str]:
    row = dict(zip(HEADER.strip().split(","), GOOD_ROW.strip().split(","), strict=True))
    row.update(fields)
    return row


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(["traffic", *argv])
    return args.func(args)


def _build(nav, *paths):
    out = io.StringIO()
    return build_corpus(list(paths), nav, out), out.getvalue()


# -- a value that ADEXP cannot hold rejects its plan only ----------------------------


def test_remark_field_start_is_syn113(tmp_path, nav):
    path = tmp_path / "plans.fpl"
    path.write_text(GOOD_FPL + "\n\n" + GOOD_FPL.replace("-0)", "-RMK/X -SSRCODE A7500)") + "\n\n" + GOOD_FPL,
                    encoding="utf-8")
    report, text = _build(nav, path)
    assert (report.plans, report.expanded) == (3, 2)
    [rejection] = report.rejections
    assert (rejection.row, rejection.code, rejection.stage) == (2, "SYN113", "write")
    assert "-SSRCODE" in rejection.message
    assert text.count("-TITLE IFPL") == 2


# -- characters that delimit ICAO fields -----------------------------------------------


@pytest.mark.parametrize(("column", "value", "character"), [
    ("route", "DCT -LFPO0100 -RMK/INJECTED", "-"),
    ("route", "DCT KONAN)", ")"),
    ("route", "DCT (KONAN", "("),
    ("callsign", "F-HEBE", "-"),
    ("aircraft", "B744/H-S/C-LFPO", "-"),
    ("arrival", "EG1 DOF/991231", "/"),
])
def test_field_delimiters_in_a_row_are_syn101(column, value, character):
    with pytest.raises(FormatError) as error:
        plan_from_recorded(_vatsim(**{column: value}))
    assert (error.value.code, error.value.token, error.value.field) == ("SYN101", character, column)


def test_injected_destination_is_rejected_not_replaced(tmp_path, nav):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER + "INJ2,I,A320/M-S/C,LFPG,EGLL,,430,FL330,DCT -LFPO0100 -RMK/INJECTED)\n" + GOOD_ROW,
                    encoding="utf-8")
    report, text = _build(nav, path)
    assert (report.plans, report.expanded) == (2, 1)
    assert [(r.row, r.code, r.token) for r in report.rejections] == [(1, "SYN101", ")")]
    assert "LFPO" not in text


def test_faa_route_hyphens():
    row = {"Orig": "BOS", "Route String": "BOS GINNA CARTER-STAR LAX", "Dest": "LAX", "Type": "H", "Altitude": ""}
    assert "CARTER" in plan_from_faa_route(row, 1, {"KBOS", "KLAX"}).text
    with pytest.raises(FormatError) as error:
        plan_from_faa_route({**row, "Route String": "BOS GINNA -KJFK0100 LAX"}, 1, {"KBOS", "KLAX"})
    assert (error.value.code, error.value.field) == ("SYN101", "Route String")


# -- encodings ---------------------------------------------------------------


def test_csv_bad_byte_rejects_row(tmp_path, nav):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + GOOD_ROW).encode() + b"BAW\xe92,I,B744/H-S/C,EGLL,LFPG,,450,35000,DVR UL9 KONAN\n")
    report, _ = _build(nav, path)
    assert (report.plans, report.expanded) == (2, 1)
    [rejection] = report.rejections
    assert (rejection.row, rejection.code, rejection.token, rejection.callsign) == (2, "SYN101", "0xE9", "BAW?2")
    assert "callsign" in rejection.message
    rejection.message.encode("utf-8")


def test_message_bad_byte_rejects_message(tmp_path, nav):
    path = tmp_path / "plans.fpl"
    path.write_bytes(GOOD_FPL.encode() + b"\n\n" + GOOD_FPL.replace("BAW1", "BAW\xe9").encode("latin-1") + b"\n")
    report, _ = _build(nav, path)
    assert (report.plans, report.expanded) == (2, 1)
    assert [(r.row, r.code, r.token) for r in report.rejections] == [(2, "SYN101", "0xE9")]


@pytest.mark.parametrize("name", ["junk.csv", "junk.adexp"])
def test_binary_file_is_one_error(tmp_path, nav, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(128, 256)) * 20)
    with pytest.raises(FppError, match=f"{name} is not UTF-8 text"):
        _build(nav, path)


def test_byte_order_mark_is_accepted(tmp_path, nav):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD_ROW).encode())
    report, _ = _build(nav, path)
    assert (report.plans, report.expanded) == (1, 1)


def test_missing_columns_are_named_in_full(tmp_path, nav):
    path = tmp_path / "wrong.csv"
    path.write_text(HEADER.replace("callsign", "call_sign").replace("route", "routing") + GOOD_ROW, encoding="utf-8")
    with pytest.raises(FppError) as error:
        _build(nav, path)
    assert "SYN111" in str(error.value)
    assert "'callsign, route'" in str(error.value)
    assert str(path) in str(error.value)


# -- long fields ---------------------------------------------------------------------


def test_csv_long_route_is_syn114(tmp_path, nav):
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "BAW9,I,B744/H-S/C,EGLL,LFPG,,450,35000," + "DVR " * 60000 + "\n" + GOOD_ROW, encoding="utf-8")
    report, _ = _build(nav, path)
    assert (report.plans, report.expanded) == (2, 1)
    [rejection] = report.rejections
    assert (rejection.row, rejection.code) == (1, "SYN114")
    assert "route" in rejection.message


def test_csv_field_over_limit_is_error(tmp_path, nav):
    path = tmp_path / "huger.csv"
    path.write_text(HEADER + "BAW9,I,B744/H-S/C,EGLL,LFPG,,450,35000," + "D" * (CSV_FIELD_LIMIT + 1) + "\n", encoding="utf-8")
    with pytest.raises(FppError, match="huger.csv, line 2: .*field"):
        _build(nav, path)


# -- rows without aerodromes ---------------------------------------------------------


@pytest.mark.parametrize("column", ["departure", "arrival"])
def test_vatsim_row_without_an_aerodrome_is_syn111(column):
    with pytest.raises(FormatError) as error:
        plan_from_recorded(_vatsim(**{column: " "}))
    assert (error.value.code, error.value.field) == ("SYN111", column)


def test_empty_faa_row_is_syn111(tmp_path, nav):
    path = tmp_path / "faa.csv"
    path.write_text("Orig,Route String,Dest,Type,Altitude\n,,,,\nBOS,BOS GINNA,,H,\n", encoding="utf-8")
    report, text = _build(nav, path)
    assert (report.plans, report.expanded, text) == (2, 0, "")
    assert [(r.code, r.message.split("(field ")[1].split(")")[0]) for r in report.rejections] == [
        ("SYN111", "Orig"), ("SYN111", "Dest")]


# -- FAA dot notation ---------------------------------------------------------------


def test_faa_route_gets_the_dot_split():
    plan = plan_from_faa_route({"Orig": "JFK", "Route String": "JFK DEEZZ5.CANDR J60 PSB", "Dest": "ORD", "Type": "H",
                                "Altitude": ""}, 1, {"KJFK", "KORD"})
    assert [e.text for e in parse_icao(plan.text).route.elements] == ["DEEZZ5", "CANDR", "J60", "PSB"]
    assert any(w.startswith("dot notation") for w in plan.warnings)


# -- options and files -------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["--generate", "3", "--day", "9999-12-31"],
    ["--generate", "3", "--day", "1999-12-31"],
    ["--generate", "3", "--day", "2100-01-01"],
    ["--generate", "-5"],
    ["--generate", "3", "plans.csv"],
    [],
])
def test_bad_options_exit_2(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        _run([*argv, "-o", str(tmp_path / "out.adexp")])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "fpp traffic: error:" in error
    if "--day" in argv:
        assert "2000-01-01 to 2099-12-31" in error


def test_first_and_last_days_are_accepted():
    parser = _parser()
    for day in ("2000-01-01", "2099-12-31"):
        assert str(parser.parse_args(["traffic", "--generate", "1", "--day", day, "-o", "x"]).day) == day


def test_unreadable_inputs_are_named(tmp_path):
    with pytest.raises(FppError, match=r"cannot read .*missing\.csv: No such file"):
        _run([str(tmp_path / "missing.csv"), "-o", str(tmp_path / "out.adexp")])
    with pytest.raises(FppError, match=r"cannot read .*: it is a folder"):
        _run([str(tmp_path), "-o", str(tmp_path / "out.adexp")])


def test_unwritable_rejected_file_is_named_before_the_work(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    with pytest.raises(FppError, match=r"cannot write .*r\.csv"):
        _run([str(path), "-o", str(tmp_path / "out.adexp"), "--rejected", str(tmp_path / "nodir" / "r.csv")])
    assert not (tmp_path / "out.adexp").exists()


def test_generating_fewer_plans_than_asked_is_reported(tmp_path, capsys, monkeypatch):
    def short_corpus(nav, out, count, seed, day, progress=None):
        return count - 2

    monkeypatch.setattr("fpp.traffic_cli.generated_corpus", short_corpus)
    assert _run(["--generate", "5", "-o", str(tmp_path / "out.adexp")]) == 0
    assert "wrote 3 of the 5 plans requested" in capsys.readouterr().err


def test_rejected_csv_lists_every_rejection(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_bytes((HEADER + GOOD_ROW + ",I,B744/H-S/C,,LFPG,,450,35000,DVR\n").encode()
                     + b"BAW\xe92,I,B744/H-S/C,EGLL,LFPG,,450,35000,DVR UL9 KONAN\n")
    rejected = tmp_path / "rejected.csv"
    assert _run([str(path), "-o", str(tmp_path / "out.adexp"), "--rejected", str(rejected)]) == 4
    rows = list(csv.DictReader(rejected.open(encoding="utf-8")))
    assert [(r["row"], r["code"]) for r in rows] == [("2", "SYN111"), ("3", "SYN101")]
