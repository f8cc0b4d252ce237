"""Every recorded filed plan parsed, expanded and converted, with counts per outcome and code.

Reads ``../shared/data`` (recorded plans and recent navigation data); skipped when it is absent.
A plan may fail with any fpp error code, which is counted; any other exception fails the test.
"""

import csv
from collections import Counter

import pytest

from fpp.convert.airspace import uk_airspace
from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter, uk_point_table
from fpp.errors import CriticalException, PlanError
from fpp.formats.adexp import emit_adexp, parse_adexp
from fpp.formats.icao import parse_icao
from fpp.formats.recorded import fpl_from_recorded
from fpp.navdata import load_navdata
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import AirwayIndex, resolve_route

from ..navdata.navdata_paths import require_shared

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_every_recorded_plan_ends_in_a_counted_outcome():
    traffic = require_shared("traffic") / "filed-plans-2021-2023.csv"
    nav = load_navdata(require_shared("navdata"))
    volume = uk_airspace(nav)
    hardened = HardenedConverter(nav, volume)
    legacy = LegacyConverter(uk_point_table(nav, volume), volume)
    index = AirwayIndex(nav)

    outcomes: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    crashes = []
    with open(traffic, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        stage = "parse"
        try:
            fpl = parse_icao(fpl_from_recorded(row, dof="230828"))
            stage = "expand"
            expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
            message = parse_adexp(emit_adexp(build_ifpl(fpl, expanded)))
            stage = "convert"
            try:
                legacy.convert(message)
            except CriticalException:
                outcomes["legacy critical exception"] += 1
            except PlanError:
                pass
            hardened.convert(message)
            outcomes["converted"] += 1
        except PlanError as error:
            outcomes[f"{stage} error"] += 1
            codes[error.code] += 1
        except Exception as error:  # noqa: BLE001 - the point is to list them
            crashes.append(f"{row['callsign']}: {type(error).__name__}: {error}")

    print(f"\n{len(rows)} recorded plans")
    for name, count in outcomes.most_common():
        print(f"  {name:<28} {count:6d}")
    for code, count in codes.most_common():
        print(f"  {code:<28} {count:6d}")
    assert not crashes, f"{len(crashes)} plans raised a non-fpp exception:\n" + "\n".join(crashes[:20])
    assert sum(v for k, v in outcomes.items() if k != "legacy critical exception") == len(rows)
    assert outcomes["converted"] > 0
