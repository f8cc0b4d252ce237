"""A pool of ordinary UK flight plans, generated in chunks and cached on disk.

Each chunk contains :data:`CHUNK_SIZE` plans from :func:`fpp.traffic.generate_uk_traffic` with a
seed of its own. A plan is kept only when both the legacy and the hardened converter turn it
into a record, so that a difference between runs comes from the chain and its faults, not from
the background traffic. Callsigns are made unique across chunks by moving a repeated one to
the next free flight number of its operator.

Checking a plan with the hardened converter takes a few milliseconds, so a chunk takes several
seconds to build. Chunks are cached under ``$FPP_CACHE_DIR`` (default ``~/.cache/fpp``). The
cache key covers the navigation data, the airspace and the source of the modules that write the
messages (the generator, route expansion, the message formats), so a change there rebuilds the
chunks. The converters are not in the key, because they change often without changing what
they accept. Instead, every :data:`CHECK_EVERY`-th plan of a cached chunk is converted again
on loading, and a chunk with a plan that no longer converts, or enters at another time, is
rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpp.convert.airspace import AirspaceVolume
from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter
from fpp.errors import CriticalException, PlanError
from fpp.formats.adexp import parse_adexp
from fpp.navdata.store import NavData
from fpp.traffic import generate_uk_traffic

__all__ = ["CHUNK_SIZE", "PoolPlan", "plan_pool", "pool_chunk"]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
"""Plans per chunk."""

CACHE_FORMAT = 1
"""Version of the cache file layout; raise it when the layout changes."""

REFERENCE_ARRIVAL = datetime(2023, 8, 28, 4, 0)
"""Arrival time of a chunk's first plan (UTC). A run moves each plan to its own time."""

CHECK_EVERY = 50
"""Spacing of the plans of a cached chunk that are converted again when it is loaded."""

_SOURCES = (
    "traffic.py", "geo.py", "route", "formats/adexp.py", "formats/icao.py", "formats/item15.py",
    "formats/latlon.py", "formats/aftn.py", "formats/_text.py", "sim/pool.py",
)
"""Source files and folders under ``fpp/`` whose code writes the generated messages."""

_ARCID = re.compile(r"(-ARCID\s+)(\S+)")
_CALLSIGN = re.compile(r"([A-Z]+)(\d+)")


@dataclass(frozen=True)
class PoolPlan:
    """One checked plan: its callsign, ADEXP text and UK entry time (UTC, naive)."""

    flight_id: str
    text: str
    entry: datetime


def _naive_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _source_digest() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = root / name
        if path.is_dir():
            files = sorted(path.rglob("*.py"))
        elif path.is_file():
            files = [path]
        else:
            files = []
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _chunk_path(nav: NavData, volume: AirspaceVolume, index: int) -> Path:
    parts = {
        "format": CACHE_FORMAT,
        "source": _source_digest(),
        "nav": [nav.source, len(nav), len(nav.names)],
        "volume": [volume.name, volume.boundary_tolerance_nm, len(volume.polygons)],
        "chunk": [index, CHUNK_SIZE, REFERENCE_ARRIVAL.isoformat()],
    }
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]
    folder = os.environ.get("FPP_CACHE_DIR") or Path.home() / ".cache" / "fpp"
    return Path(folder) / f"plan-pool-{key}-chunk{index}-format{CACHE_FORMAT}.json"


def _read(path: Path) -> list[PoolPlan] | None:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [PoolPlan(row["flight_id"], row["text"], datetime.fromisoformat(row["entry"])) for row in rows]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("ignoring unreadable plan pool chunk %s: %s", path, error)
        return None


def _write(path: Path, plans: list[PoolPlan]) -> None:
    rows = [{"flight_id": plan.flight_id, "text": plan.text, "entry": plan.entry.isoformat()} for plan in plans]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(rows, stream)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        logger.warning("could not write the plan pool chunk %s: %s", path, error)


def pool_chunk(nav: NavData, volume: AirspaceVolume, legacy: LegacyConverter, hardened: HardenedConverter,
               index: int, use_cache: bool = True) -> list[PoolPlan]:
    """Return chunk ``index`` of the pool, from the cache when possible."""
    path = _chunk_path(nav, volume, index)
    entries: dict[str, datetime] = {}

    def both_convert(text: str) -> bool:
        message = parse_adexp(text)
        try:
            legacy.convert(message)
            record = hardened.convert(message)
        except (CriticalException, PlanError):
            return False
        if not record.portions or record.portions[0].entry.eto is None:
            return False
        entries[text] = _naive_utc(record.portions[0].entry.eto)
        return True

    if use_cache:
        cached = _read(path)
        if cached is not None:
            sample = cached[::CHECK_EVERY]
            if all(both_convert(plan.text) and entries[plan.text] == plan.entry for plan in sample):
                return cached
            logger.info("plan pool chunk %s no longer converts as stored; building it again", path)
            entries.clear()

    logger.info("building plan pool chunk %d (%d plans)", index, CHUNK_SIZE)
    generated = generate_uk_traffic(nav, volume, CHUNK_SIZE, 1_000_003 * (index + 1), REFERENCE_ARRIVAL, 400.0,
                                    accept=both_convert)
    plans = [PoolPlan(plan.message_id, plan.adexp_text, entries[plan.adexp_text]) for plan in generated]
    if use_cache:
        _write(path, plans)
    return plans


def _renamed(plan: PoolPlan, used: set[str]) -> PoolPlan:
    """Return ``plan`` under a callsign not in ``used`` (and add it there)."""
    callsign = plan.flight_id
    if callsign in used:
        match = _CALLSIGN.fullmatch(callsign)
        operator, number = (match.group(1), int(match.group(2))) if match else (callsign, 0)
        while callsign in used:
            number = number % 9999 + 1
            callsign = f"{operator}{number}"
        text = _ARCID.sub(lambda found: found.group(1) + callsign, plan.text, count=1)
        plan = PoolPlan(callsign, text, plan.entry)
    used.add(callsign)
    return plan


def plan_pool(nav: NavData, volume: AirspaceVolume, legacy: LegacyConverter, hardened: HardenedConverter,
              count: int, use_cache: bool = True) -> list[PoolPlan]:
    """Return at least ``count`` checked plans with unique callsigns: whole chunks, in order."""
    plans: list[PoolPlan] = []
    used: set[str] = set()
    index = 0
    while len(plans) < count:
        plans.extend(_renamed(plan, used) for plan in pool_chunk(nav, volume, legacy, hardened, index, use_cache))
        index += 1
    return plans
